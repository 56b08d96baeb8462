// One merchant's history in the making: its options, numbering, follow-ups waiting for their
// time, the orders later ones may refund, and the ledger it posts to.
import type { Faker } from '@faker-js/faker';
import { LedgerError } from '#shared/server/ledger/index.ts';
import { ref } from '#shared/server/ledger/accounts.ts';
import { businessDateOf } from '../book/dates.ts';
import type { Rng } from '../rng.ts';
import type { SeededUser } from '../users.ts';
import type { LedgerPort } from './port.ts';

export interface HistoryOptions {
	merchantId: bigint;
	/** One digit that keeps this merchant's platform numbers apart from another's. */
	txnDigit: string;
	users: SeededUser[];
	days: number;
	ordersPerDay: number;
	/** Rounded to the hour by the caller: today's history stops here. */
	now: Date;
	/** Merchant own funds placed on day one, in fen. */
	openingTopUp: bigint;
	/** Which optional legs the ledger can fund (the fee and coupon accounts need money first). */
	fees: boolean;
	coupons: boolean;
}

export interface HistoryStats {
	postings: number;
	refused: Map<string, number>;
}

export type FollowUp = { at: number; run: () => Promise<void> };

/** A successful order a later refund may take back from. */
interface Refundable {
	txnNo: string;
	left: bigint;
	at: number;
	userId: bigint | null;
	toUser: boolean;
}

export interface Run {
	ledger: LedgerPort;
	rng: Rng;
	faker: Faker;
	o: HistoryOptions;
	stats: HistoryStats;
	nowMs: number;
	followUps: FollowUp[];
	refundable: Refundable[];
	/** User balance set aside for balance payments still waiting to be paid. */
	reserved: Map<bigint, bigint>;
	txnNo(at: number): string;
	/** The merchant's order number of the order numbered last. */
	orderNo(prefix: string, at: number): string;
	channelNo(): string;
	/** Runs `fn` at `at`, if that is before now. */
	later(at: number, fn: () => Promise<void>): void;
	/** One ledger call; a refusal is counted (the ledger changed nothing) and answered with null. */
	attempt<T>(what: string, fn: () => Promise<T>): Promise<T | null>;
	activeUsers(at: number): SeededUser[];
	/** A user's AVAILABLE balance less what waiting orders set aside. */
	spendable(userId: bigint): Promise<bigint>;
	userHolds(userId: bigint): Promise<bigint>;
	merchant(type: 'MCHOWN' | 'MCHFEE' | 'MCHCOUPON', sub?: 'AVAILABLE' | 'PSETTLE'): Promise<bigint>;
}

const compact = (date: string) => date.replaceAll('-', '');

export function startRun(ledger: LedgerPort, rng: Rng, faker: Faker, o: HistoryOptions): Run {
	let seq = 0;
	const stats: HistoryStats = { postings: 0, refused: new Map() };
	const followUps: FollowUp[] = [];
	const reserved = new Map<bigint, bigint>();
	const nowMs = o.now.getTime();
	return {
		ledger,
		rng,
		faker,
		o,
		stats,
		nowMs,
		followUps,
		refundable: [],
		reserved,
		txnNo: (at) => `${compact(businessDateOf(at))}${o.txnDigit}${String(++seq).padStart(7, '0')}`,
		orderNo: (prefix, at) => `${prefix}${compact(businessDateOf(at))}${String(seq).padStart(7, '0')}`,
		channelNo: () => `42${rng.digits(26)}`,
		later(at, fn) {
			if (at < nowMs) followUps.push({ at, run: fn });
		},
		async attempt(what, fn) {
			try {
				const r = await fn();
				stats.postings++;
				return r;
			} catch (e) {
				if (!(e instanceof LedgerError)) throw e;
				const key = `${what}: ${e.key}`;
				stats.refused.set(key, (stats.refused.get(key) ?? 0) + 1);
				return null;
			}
		},
		activeUsers: (at) => o.users.filter((u) => u.registeredAt.getTime() < at && u.status === 'NORMAL'),
		spendable: async (userId) => (await ledger.balance(ref.user(userId, 'AVAILABLE'))) - (reserved.get(userId) ?? 0n),
		userHolds: async (userId) => (await ledger.balance(ref.user(userId, 'AVAILABLE'))) + (await ledger.balance(ref.user(userId, 'PSETTLE'))),
		merchant: (type, sub = 'AVAILABLE') => ledger.balance(ref.merchant(type, sub))
	};
}

export function reserve(run: Run, userId: bigint, amount: bigint): void {
	run.reserved.set(userId, (run.reserved.get(userId) ?? 0n) + amount);
}
