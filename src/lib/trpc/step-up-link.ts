// Step-up in the browser: a call the server refuses with PRECONDITION_FAILED (only step-up uses
// that code) opens the 验证身份 dialog, and once the person has verified, the same call is sent
// again, so the action they started simply carries on. Cancelled, the call fails as refused.
import type { TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import { requestStepUp } from '$lib/components/step-up/request.svelte';

export function stepUpLink<TRouter extends AnyTRPCRouter>(): TRPCLink<TRouter> {
	return () =>
		({ op, next }) =>
			observable((observer) => {
				let sub: Unsubscribable | undefined;
				let asked = false;
				const send = () => {
					sub = next(op).subscribe({
						next: (value) => observer.next(value),
						error: (err) => {
							const code = (err.data as { code?: string } | undefined)?.code;
							if (asked || code !== 'PRECONDITION_FAILED' || typeof window === 'undefined') return observer.error(err);
							asked = true;
							void requestStepUp().then((ok) => (ok ? send() : observer.error(err)));
						},
						complete: () => observer.complete()
					});
				};
				send();
				return () => sub?.unsubscribe();
			});
}
