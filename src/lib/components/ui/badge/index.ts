export { default as Badge, default as Root, badgeVariants, type BadgeVariant } from './badge.svelte';
