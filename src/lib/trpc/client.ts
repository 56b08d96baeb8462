// The typed browser client. Only types cross over from the server (import type).
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '$lib/server/api/root';

export const trpc = createTRPCClient<AppRouter>({
	links: [httpBatchLink({ url: '/api/trpc', transformer: superjson })]
});

export type { AppRouter };
