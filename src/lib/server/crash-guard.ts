// Last-resort logging for the web and worker processes. Node's default for an unhandled
// rejection or an uncaught exception is to print and exit; here each is logged with its stack.
// A rejection never ends the process. An uncaught exception that is a dependency's connection
// error (one that slipped past a listener) leaves no half-done state behind — the client is
// discarded and reconnects — so the process keeps serving; any other one may have left state
// corrupt, so the process exits 1 after logging and its supervisor starts a fresh one.
// Relative imports only: the worker runs this under plain Node.
import { logger } from './log.ts';
import { isOutage } from './outage.ts';

const installed = Symbol.for('merchant-backoffice.crash-guard');

export function logCrashes(name: string): void {
	const g = globalThis as { [installed]?: boolean };
	if (g[installed]) return;
	g[installed] = true;
	process.on('unhandledRejection', (reason) => {
		logger.error({ err: reason }, `[${name}] unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
	});
	process.on('uncaughtException', (err, origin) => {
		logger.fatal({ err }, `[${name}] ${origin}: ${err.message}`);
		if (!isOutage(err)) process.exit(1);
	});
}
