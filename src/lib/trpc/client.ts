// The typed browser client. Only types cross over from the server (import type).
import { createTRPCClient, httpBatchLink, httpLink, splitLink } from '@trpc/client';
import { transformer } from './transformer';
import type { AppRouter } from '$lib/server/api/root';
import { stepUpLink } from './step-up-link';

export const trpc = createTRPCClient<AppRouter>({
	// Queries batch (at most the server's MAX_BATCH_SIZE); mutations go one per request, as the
	// server requires.
	links: [
		stepUpLink<AppRouter>(),
		splitLink({
			condition: (op) => op.type === 'mutation',
			true: httpLink({ url: '/api/trpc', transformer }),
			false: httpBatchLink({ url: '/api/trpc', transformer, maxItems: 10 })
		})
	]
});

export type { AppRouter };
