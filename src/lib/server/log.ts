// The one logger of the web and worker processes: pino, one JSON object per line on stdout
// (level, time, msg and fields), for a log shipper to parse. Each request and job logs through
// a child that carries its request id, found with activeLog() anywhere below the handler.
// Nothing secret or personal leaves here whole: fields named like a secret are censored, and
// phone, ID card and card numbers anywhere in a line (messages, error stacks) are masked.
// Relative imports only: the worker runs this under plain Node.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { maskCardNo, maskIdNo, maskPhone } from './mask.ts';

export type { Logger } from 'pino';

/** LOG_LEVEL (trace, debug, info, warn, error, fatal, silent); info by default. */
function logLevel(env: NodeJS.ProcessEnv = process.env): Level | 'silent' {
	const wanted = env.LOG_LEVEL?.toLowerCase();
	if (wanted && (wanted === 'silent' || wanted in pino.levels.values)) return wanted as Level | 'silent';
	return 'info';
}

// Field names whose values are never logged, at any depth (a request's headers, an input, an error's options).
const SECRET_KEY = /(pass(word|wd)?|pwd|secret|token|cookie|authori[sz]ation|api.?key|private.?key|kek|keks|otp|totp|sms.?code|verif\w*code|recovery.?codes?|pin)$/i;
const CENSORED = '[redacted]';

/** Copies a value with every secret-named field censored (objects and arrays, cycles cut). */
function censor(value: unknown, seen = new WeakSet<object>()): unknown {
	if (value === null || typeof value !== 'object') return value;
	if (value instanceof Error || seen.has(value)) return value;
	seen.add(value);
	if (Array.isArray(value)) return value.map((v) => censor(v, seen));
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? CENSORED : censor(v, seen);
	return out;
}

// Personal numbers inside text: mainland mobile numbers, 18-character ID card numbers, and
// bank card numbers: 15–19 digits starting as card schemes do (3 JCB/Amex, 4 Visa, 5
// Mastercard, 6 UnionPay) that pass the Luhn check. Merchant and order numbers (2018…, 2026…)
// stay readable.
const PHONE = /(?<![\dA-Za-z])1[3-9]\d{9}(?!\d)/g;
const ID_CARD = /(?<![\dA-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g;
const DIGIT_RUN = /(?<![\dA-Za-z])[3-6]\d{14,18}(?!\d)/g;

function luhn(digits: string): boolean {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) {
		let d = digits.charCodeAt(digits.length - 1 - i) - 48;
		if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return sum % 10 === 0;
}

/** A serialized line with personal numbers masked the way the screens mask them. */
export function maskPersonal(line: string): string {
	return line
		.replace(ID_CARD, (m) => maskIdNo(m))
		.replace(DIGIT_RUN, (m) => (luhn(m) ? maskCardNo(m) : m))
		.replace(PHONE, (m) => maskPhone(m));
}

function createLogger(sink: DestinationStream): Logger {
	return pino(
		{
			level: logLevel(),
			base: { pid: process.pid },
			timestamp: pino.stdTimeFunctions.isoTime,
			formatters: {
				level: (label) => ({ level: label }),
				log: (obj) => censor(obj) as Record<string, unknown>
			},
			hooks: { streamWrite: maskPersonal }
		},
		sink
	);
}

interface LogState {
	logger: Logger;
	/** Where lines go: stdout, or a test's capture; swapped without re-creating the logger. */
	target: DestinationStream;
}

// On globalThis: the dev server reloads modules, and there must stay one logger per process.
const key = Symbol.for('merchant-backoffice.logger');
const g = globalThis as { [key]?: LogState };
const state: LogState = (g[key] ??= (() => {
	let target: DestinationStream = pino.destination({ dest: 1, sync: true });
	return {
		logger: createLogger({ write: (line: string) => target.write(line) }),
		get target() {
			return target;
		},
		set target(t) {
			target = t;
		}
	};
})());

/** The process's root logger. */
export const logger: Logger = state.logger;

/** What a request or job carries through its async calls: its id and its child logger. */
interface LogScope {
	/** Absent for work nobody asked for over HTTP (a scheduled job). */
	requestId?: string;
	log: Logger;
}

const scopes = new AsyncLocalStorage<LogScope>();

/** Runs fn with a scope: activeLog() and currentRequestId() below it answer for this request or job. */
export function withLogScope<T>(scope: LogScope, fn: () => T): T {
	return scopes.run(scope, fn);
}

/** The running request's or job's logger, else the root logger. */
export function activeLog(): Logger {
	return scopes.getStore()?.log ?? logger;
}

/** The id of the request being served (undefined outside a request, e.g. in a scheduled job). */
export function currentRequestId(): string | undefined {
	return scopes.getStore()?.requestId;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** A proxy's X-Request-Id when it is a plain token, else a new one (a client cannot inject text into the logs). */
export function requestIdFrom(header: string | null | undefined): string {
	return header && REQUEST_ID.test(header) ? header : randomUUID();
}

/** For tests: lines logged while the capture runs, parsed; nothing reaches stdout meanwhile. */
export function captureLogs(level: Level = 'debug'): { entries(): Record<string, unknown>[]; text(): string; stop(): void } {
	const previous = { target: state.target, level: logger.level };
	const lines: string[] = [];
	state.target = { write: (line: string) => void lines.push(line) };
	logger.level = level;
	return {
		entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
		text: () => lines.join(''),
		stop: () => {
			state.target = previous.target;
			logger.level = previous.level;
		}
	};
}
