// What a back-office change does once the person asks for it: (ask first,) call the API, say it
// worked, reload the page's data; a refusal is toasted with its reason, or handed back per field.
import { TRPCClientError } from '@trpc/client';
import { toast } from 'svelte-sonner';
import { invalidateAll } from '$app/navigation';
import type { I18n, MessageKey } from '$lib/i18n';
import { failureText } from '$lib/trpc/failure';

/** The per-field messages of a BAD_REQUEST (already in the person's language), or null. */
export function fieldErrorsOf(e: unknown): Record<string, string> | null {
	if (!(e instanceof TRPCClientError)) return null;
	const fields = (e.data as { fieldErrors?: Record<string, string> | null } | undefined)?.fieldErrors;
	return fields && Object.keys(fields).length ? fields : null;
}


export interface SaveOptions {
	/** Asked with confirm() first; cancelling does nothing. */
	confirm?: string;
	action: () => Promise<unknown>;
	/** Toasted when the action succeeded. */
	success: MessageKey;
	/** Toasted with `{reason}` when it failed. */
	failed: 'keys.failed' | 'team.failed';
	/** Receives a refusal's per-field messages instead of the toast. */
	fieldErrors?: (fields: Record<string, string>) => void;
	/** Runs after the success toast, before the reload (closes a dialog). */
	done?: () => void;
}

export async function saveAndReload(t: I18n['t'], o: SaveOptions): Promise<void> {
	if (o.confirm !== undefined && !confirm(o.confirm)) return;
	try {
		await o.action();
		toast.success(t(o.success));
		o.done?.();
		await invalidateAll();
	} catch (e) {
		const fields = o.fieldErrors ? fieldErrorsOf(e) : null;
		if (fields) o.fieldErrors!(fields);
		else toast.error(t(o.failed, { reason: failureText(e, t) }));
	}
}
