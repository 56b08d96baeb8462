// Certificate and key parsing in worker threads with a wall-clock budget, so no upload can hold
// the web process's event loop: a task past its budget is answered 'keys.parseTimeout' and its
// worker terminated, whatever forge or OpenSSL was doing. The bounds in parse-core.ts keep real
// work far below the budget; this is what holds if one of them is ever missed.
//
// Workers are kept warm and reused (starting one and loading forge costs ~50-100 ms; under
// vitest, with tsx, ~150 ms), at most `maxWorkers` at once: two cores cannot run more usefully,
// and a batch of uploads queues instead of starting a thread each (each is ~10 MB).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { activeLog } from '../log.ts';
import type { ParseTasks } from './parse-core.ts';
import type { ParseReply, ParseRequest } from './parse-worker.ts';

export type ParseTask = keyof ParseTasks;
export type ParseRefusal = 'keys.parseTimeout' | 'keys.parseBusy';
export type ParseOutcome<K extends ParseTask> = { ok: true; value: ReturnType<ParseTasks[K]> } | { ok: false; refusal: ParseRefusal };

export interface ParsePoolOptions {
	/** Budget of one task, from when a started worker receives it. */
	timeoutMs: number;
	/** Workers running tasks at once; later tasks wait. */
	maxWorkers: number;
	/** Tasks that may wait for a worker; one more is refused as 'keys.parseBusy'. */
	maxWaiting: number;
	/** An idle worker is stopped after this long. */
	idleMs: number;
	/** A worker is replaced after this many tasks (whatever a parse leaves behind does not pile up). */
	maxTasksPerWorker: number;
	/** Starting a worker past this is a server fault (an error, not a refusal of the upload). */
	startupTimeoutMs: number;
}

export const DEFAULT_PARSE_POOL: ParsePoolOptions = {
	timeoutMs: 1000,
	maxWorkers: 2,
	maxWaiting: 16,
	idleMs: 60_000,
	maxTasksPerWorker: 500,
	startupTimeoutMs: 15_000
};

/** A 64 KB .p12 or a 16 KB key needs a few MB; a parse that balloons dies alone. */
const RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 };

interface Slot {
	worker: Worker;
	tasks: number;
	idleTimer?: NodeJS.Timeout;
}

let entry: Promise<{ url: string; mark: string }> | undefined;

/** The worker module's URL, from the module itself: in the build it is a chunk whose name only it knows. */
function workerEntry() {
	entry ??= import('./parse-worker.ts').then((m) => ({ url: m.parseWorkerUrl, mark: m.PARSE_WORKER_MARK }));
	return entry;
}

async function startWorker(startupTimeoutMs: number): Promise<Worker> {
	const { url, mark } = await workerEntry();
	const options = { workerData: mark, resourceLimits: RESOURCE_LIMITS };
	const worker = url.endsWith('.ts')
		? // The TypeScript source (vitest, vite dev): Node 20 runs no TypeScript, and module hooks
			// (tsx's ESM loader) do not reach worker threads there; tsx's require hook does.
			new Worker(`require(${JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs'))});require(${JSON.stringify(fileURLToPath(url))});`, {
				...options,
				eval: true
			})
		: new Worker(new URL(url), options);
	worker.unref();
	try {
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`the key parse worker did not start within ${startupTimeoutMs} ms`)), startupTimeoutMs);
			const done = (error?: Error) => {
				clearTimeout(timer);
				worker.off('message', onMessage).off('error', done).off('exit', onExit);
				if (error) reject(error);
				else resolve();
			};
			const onMessage = (m: ParseReply) => 'ready' in m && done();
			const onExit = (code: number) => done(new Error(`the key parse worker exited (${code}) while starting`));
			worker.on('message', onMessage).on('error', done).on('exit', onExit);
		});
	} catch (e) {
		void worker.terminate();
		throw e;
	}
	return worker;
}

export class ParsePool {
	private readonly options: ParsePoolOptions;
	private readonly idle: Slot[] = [];
	private readonly waiting: (() => void)[] = [];
	private active = 0;
	private seq = 0;
	/** Workers terminated for running past the budget or dying mid-task (for tests and logs). */
	terminated = 0;

	constructor(options: Partial<ParsePoolOptions> = {}) {
		this.options = { ...DEFAULT_PARSE_POOL, ...options };
	}

	/**
	 * Runs parse-core's `task` in a worker. Refused (never thrown) when it runs past the budget,
	 * its worker dies (memory limit), or too many tasks already wait; thrown only for server
	 * faults (the worker cannot start, the task itself threw: a bug, parse-core answers every input).
	 */
	async run<K extends ParseTask>(task: K, ...args: Parameters<ParseTasks[K]>): Promise<ParseOutcome<K>> {
		if (this.active < this.options.maxWorkers) this.active++;
		else if (this.waiting.length >= this.options.maxWaiting) return { ok: false, refusal: 'keys.parseBusy' };
		else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over
		try {
			return (await this.runOn(await this.slot(), task, args)) as ParseOutcome<K>;
		} finally {
			const next = this.waiting.shift();
			if (next) next();
			else this.active--;
		}
	}

	/** Stops every idle worker (tests; a running task's worker stops when it ends or times out). */
	async close(): Promise<void> {
		await Promise.all(this.idle.splice(0).map((s) => this.stop(s)));
	}

	private async slot(): Promise<Slot> {
		const slot = this.idle.pop();
		if (slot) {
			clearTimeout(slot.idleTimer);
			return slot;
		}
		return { worker: await startWorker(this.options.startupTimeoutMs), tasks: 0 };
	}

	private runOn(slot: Slot, task: ParseTask, args: unknown[]): Promise<ParseOutcome<ParseTask>> {
		const { worker } = slot;
		const id = ++this.seq;
		const started = performance.now();
		return new Promise((resolve, reject) => {
			const cleanup = () => {
				clearTimeout(timer);
				worker.off('message', onMessage).off('error', onDeath).off('exit', onDeath);
			};
			const refuse = (why: string) => {
				cleanup();
				this.terminated++;
				void this.stop(slot);
				activeLog().warn(`[keys] parse task ${task} ${why} after ${Math.round(performance.now() - started)} ms: refused, worker terminated`);
				resolve({ ok: false, refusal: 'keys.parseTimeout' });
			};
			const timer = setTimeout(() => refuse(`ran past ${this.options.timeoutMs} ms`), this.options.timeoutMs);
			const onDeath = (e: unknown) => refuse(`killed its worker (${(e as Error)?.message ?? `exit ${String(e)}`})`);
			const onMessage = (m: ParseReply) => {
				if (!('id' in m) || m.id !== id) return;
				cleanup();
				this.release(slot);
				if (m.ok) resolve({ ok: true, value: m.value } as ParseOutcome<ParseTask>);
				else reject(new Error(`key parse task ${task} failed: ${m.error}`));
			};
			worker.on('message', onMessage).on('error', onDeath).on('exit', onDeath);
			worker.postMessage({ id, task, args } satisfies ParseRequest);
		});
	}

	private release(slot: Slot): void {
		if (++slot.tasks >= this.options.maxTasksPerWorker) {
			void this.stop(slot);
			return;
		}
		slot.idleTimer = setTimeout(() => {
			const i = this.idle.indexOf(slot);
			if (i >= 0) this.idle.splice(i, 1);
			void this.stop(slot);
		}, this.options.idleMs).unref();
		this.idle.push(slot);
	}

	private async stop(slot: Slot): Promise<void> {
		clearTimeout(slot.idleTimer);
		await slot.worker.terminate().catch(() => undefined);
	}
}

/** The web process's pool. */
export const parsePool = new ParsePool();
