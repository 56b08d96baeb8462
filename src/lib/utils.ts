import { clsx, type ClassValue } from 'clsx';
import { twMerge } from 'tailwind-merge';

/** Joins class names and lets a later Tailwind class override an earlier one. */
export function cn(...inputs: ClassValue[]): string {
	return twMerge(clsx(inputs));
}

// Prop helpers shared by the UI kit (the shapes shadcn-svelte components use).
export type WithoutChild<T> = T extends { child?: unknown } ? Omit<T, 'child'> : T;
type WithoutChildren<T> = T extends { children?: unknown } ? Omit<T, 'children'> : T;
export type WithoutChildrenOrChild<T> = WithoutChildren<WithoutChild<T>>;
export type WithElementRef<T, U extends HTMLElement = HTMLElement> = T & { ref?: U | null };
