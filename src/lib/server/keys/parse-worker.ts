// The parse worker's entry. parse-pool.ts imports this module dynamically (never statically:
// that keeps it, with parse-core.ts, in a chunk of its own in the production build) only to
// learn its URL, then starts it as a worker thread: the built chunk directly, the .ts source
// (vitest, vite dev) through tsx's require hook. On the web process's thread it does nothing.
import { parentPort, workerData } from 'node:worker_threads';
import { guardForge, parseTasks, type ParseTasks } from './parse-core.ts';

/** Where this module is: a built chunk (…/build/server/chunks/*.js) or this .ts file. */
export const parseWorkerUrl: string = import.meta.url;

/** workerData that makes this module a parse worker (anything else imports it inertly). */
export const PARSE_WORKER_MARK = 'merchant-backoffice/keys-parse-worker';

export interface ParseRequest {
	id: number;
	task: keyof ParseTasks;
	args: unknown[];
}

export type ParseReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | { ready: true };

if (parentPort && workerData === PARSE_WORKER_MARK) {
	const port = parentPort;
	guardForge();
	port.on('message', ({ id, task, args }: ParseRequest) => {
		let reply: ParseReply;
		try {
			if (!Object.hasOwn(parseTasks, task)) throw new Error(`unknown parse task ${String(task)}`);
			const run = parseTasks[task] as (...a: unknown[]) => unknown;
			reply = { id, ok: true, value: run(...args) };
		} catch (e) {
			reply = { id, ok: false, error: (e as Error)?.message ?? String(e) };
		}
		port.postMessage(reply);
	});
	port.postMessage({ ready: true } satisfies ParseReply);
}
