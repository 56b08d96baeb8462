import { createCallerFactory, router } from './init';

// One router per menu section (DESIGN.md). Add each here.
export const appRouter = router({});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
