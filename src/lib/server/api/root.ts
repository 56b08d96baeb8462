import { exportsRouter } from './routers/exports/_router';
import { createCallerFactory, router } from './init';
import { accountsRouter } from './routers/accounts/_router';
import { authRouter } from './routers/auth/_router';
import { flowsRouter } from './routers/flows/_router';
import { paymentsRouter } from './routers/payments/_router';
import { refundsRouter } from './routers/refunds/_router';
import { settingsRouter } from './routers/settings/_router';
import { usersRouter } from './routers/users/_router';
import { withdrawalsRouter } from './routers/withdrawals/_router';
import { auditRouter } from './routers/audit/_router';
import { operatorsRouter } from './routers/operators/_router';
import { passwordRouter } from './routers/password/_router';
import { rolesRouter } from './routers/roles/_router';
import { statementsRouter } from './routers/statements/_router';
import { keysRouter } from './routers/keys/_router';

// One router per menu section (DESIGN.md). Add each here.
export const appRouter = router({
	auth: authRouter,
	password: passwordRouter,
	accounts: accountsRouter,
	users: usersRouter,
	payments: paymentsRouter,
	refunds: refundsRouter,
	withdrawals: withdrawalsRouter,
	flows: flowsRouter,
	settings: settingsRouter,
	roles: rolesRouter,
	operators: operatorsRouter,
	audit: auditRouter,
	keys: keysRouter,
	statements: statementsRouter,
	exports: exportsRouter
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
