import { createCallerFactory, router } from './init';
import { accountsRouter } from './routers/accounts/_router';
import { authRouter } from './routers/auth/_router';

// One router per menu section (DESIGN.md). Add each here.
export const appRouter = router({
	auth: authRouter,
	accounts: accountsRouter
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
