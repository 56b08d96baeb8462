// Random sequences of business operations on a fresh merchant, run against the ledger and
// against the in-memory model (model.ts). After each sequence: every outcome agreed, the
// balances and order totals equal the model's, and checkInvariants() finds nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '#db';
import {
	checkInvariants,
	closePayment,
	completePayment,
	completeRefund,
	LedgerError,
	postPayment,
	postRefund,
	postWithdrawal,
	runDailySettlement,
	updateWithdrawalStatus,
	type PaymentPosting,
	type RefundPosting,
	type WithdrawalPosting
} from '#shared/server/ledger/index.ts';
import { addDays } from '#shared/time.ts';
import { txnNo } from '../fixtures/ledger.ts';
import { makeUser } from '../fixtures/merchant.ts';
import { balances, merchantWithAccounts } from './fixtures.ts';
import { K, LedgerModel, type MPayment, type MWithdrawal, type Outcome } from './model.ts';

let db: Db;
beforeAll(() => {
	db = createDb(process.env.DATABASE_URL, 4);
});
afterAll(async () => {
	await db.destroy();
});

const USERS = 3;
const amount = (max: number) => fc.bigInt({ min: 1n, max: BigInt(max) });
const fee = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 30n }));
const userIx = fc.nat(USERS - 1);
const pick = fc.nat(1000);
/** One payment in five starts as TRADE_WAIT_PAY. */
const wait = fc.constantFrom(false, false, false, false, true);

const op = fc.oneof(
	{ arbitrary: fc.record({ kind: fc.constant('userTopup' as const), u: userIx, amount: amount(20000), fee, wait }), weight: 4 },
	{
		arbitrary: fc.record({
			kind: fc.constant('mchTopup' as const),
			target: fc.constantFrom('MCHOWN' as const, 'MCHCOUPON' as const, 'MCHFEE' as const),
			amount: amount(3000),
			wait
		}),
		weight: 3
	},
	{
		arbitrary: fc.record({
			kind: fc.constant('consume' as const),
			u: fc.option(userIx, { nil: null }),
			balance: fc.boolean(),
			amount: amount(3000),
			coupon: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 600n })),
			fee,
			secured: fc.boolean(),
			payee: fc.option(userIx, { nil: null }),
			wait
		}),
		weight: 6
	},
	{ arbitrary: fc.record({ kind: fc.constant('confirm' as const), pick, amount: fc.oneof(amount(300), amount(4000)), toUser: fc.option(userIx, { nil: null }) }), weight: 3 },
	{ arbitrary: fc.record({ kind: fc.constant('inner' as const), u: userIx, amount: amount(2000), fee }), weight: 2 },
	{ arbitrary: fc.record({ kind: fc.constant('complete' as const), pick }), weight: 2 },
	{ arbitrary: fc.record({ kind: fc.constant('close' as const), pick, cancel: fc.boolean() }), weight: 1 },
	{
		arbitrary: fc.record({
			kind: fc.constant('refund' as const),
			pick,
			recent: fc.boolean(),
			fit: fc.boolean(),
			amount: fc.oneof(amount(300), amount(3000)),
			status: fc.constantFrom('TRADE_SUCCESS' as const, 'TRADE_SUCCESS' as const, 'TRADE_SUCCESS' as const, 'TRADE_PROCESSING' as const, 'TRADE_FAILURE' as const)
		}),
		weight: 5
	},
	{ arbitrary: fc.record({ kind: fc.constant('completeRefund' as const), pick, success: fc.boolean() }), weight: 2 },
	{
		arbitrary: fc.record({
			kind: fc.constant('withdraw' as const),
			u: fc.option(userIx, { nil: null }),
			outer: fc.boolean(),
			amount: amount(3000),
			fee,
			status: fc.constantFrom('TRADE_CHECKING' as const, 'TRADE_PREPAID' as const, 'TRADE_SUCCESS' as const, 'TRADE_FAILURE' as const)
		}),
		weight: 3
	},
	{
		arbitrary: fc.record({
			kind: fc.constant('withdrawStatus' as const),
			pick,
			status: fc.constantFrom('TRADE_PREPAID' as const, 'TRADE_SUCCESS' as const, 'TRADE_FAILURE' as const, 'TRADE_CANCEL' as const)
		}),
		weight: 3
	},
	{ arbitrary: fc.record({ kind: fc.constant('settle' as const) }), weight: 3 },
	{ arbitrary: fc.record({ kind: fc.constant('replay' as const), what: fc.constantFrom('payment' as const, 'refund' as const, 'withdrawal' as const) }), weight: 2 }
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const FUNDING: Op[] = [
	{ kind: 'mchTopup', target: 'MCHFEE', amount: 2000n, wait: false },
	{ kind: 'mchTopup', target: 'MCHCOUPON', amount: 5000n, wait: false },
	{ kind: 'mchTopup', target: 'MCHOWN', amount: 5000n, wait: false },
	...Array.from({ length: USERS }, (_, u): Op => ({ kind: 'userTopup', u, amount: 10000n, fee: 0n, wait: false })),
	{ kind: 'settle' }
];

async function outcome(p: Promise<unknown>): Promise<Outcome> {
	try {
		await p;
		return { ok: true, moved: true };
	} catch (e) {
		if (e instanceof LedgerError) return { ok: false, key: e.key };
		throw e;
	}
}
const seen = new Map<string, number>();
const same = (a: Outcome, b: Outcome) => (a.ok ? b.ok : !b.ok && a.key === b.key);

/** Balances equal the model's (accounts the model never touched are zero). */
async function expectBalances(mid: bigint, model: LedgerModel, log: string[]) {
	const actual = await balances(db, mid);
	const differ = [...actual].filter(([k, v]) => v !== model.get(k)).map(([k, v]) => `${k}: ${v}, model ${model.get(k)}`);
	expect(differ, log.join('\n')).toEqual([]);
	const missing = [...model.bal].filter(([k, v]) => v !== 0n && !actual.has(k)).map(([k]) => k);
	expect(missing, log.join('\n')).toEqual([]);
}

async function runSequence(ops: Op[]) {
	const merchant = await merchantWithAccounts(db);
	const mid = merchant.id;
	const users: bigint[] = [];
	for (let i = 0; i < USERS; i++) users.push((await makeUser(db, mid)).id);
	const model = new LedgerModel();
	const log: string[] = [];
	const t0 = Date.parse('2026-11-20T01:00:00Z');
	let day = 0;
	const last: { payment?: PaymentPosting; refund?: RefundPosting; withdrawal?: WithdrawalPosting } = {};

	for (const [i, o] of ops.entries()) {
		const at = new Date(t0 + i * 60_000);
		let expected: Outcome;
		let actual: Promise<unknown>;
		let onOk: () => void = () => {};

		switch (o.kind) {
			case 'userTopup':
			case 'mchTopup':
			case 'consume':
			case 'inner': {
				const no = txnNo('P');
				const wait = 'wait' in o && o.wait;
				const input: PaymentPosting = { merchantId: mid, platformTxnNo: no, merchantOrderNo: `M${no}`, txnType: 'USER_TOPUP', status: wait ? 'TRADE_WAIT_PAY' : 'TRADE_SUCCESS', amount: o.amount, createdAt: at };
				let mp: MPayment;
				let invalid = false;
				if (o.kind === 'userTopup') {
					Object.assign(input, { userId: users[o.u], payMethod: 'WECHAT_APP', feeAmount: o.fee });
					mp = { no, txnType: 'USER_TOPUP', status: input.status, amount: o.amount, coupon: 0n, fee: o.fee, payer: K.clearing, payee: K.u(users[o.u], 'PSETTLE'), sources: [K.u(users[o.u], 'AVAILABLE'), K.u(users[o.u], 'PSETTLE')], payeeUser: null, refunded: 0n, confirmed: 0n };
				} else if (o.kind === 'mchTopup') {
					Object.assign(input, { txnType: 'MCH_TOPUP', payeeAccountType: o.target, payMethod: 'EBANK_DEBIT_CARD' });
					mp = { no, txnType: 'MCH_TOPUP', status: input.status, amount: o.amount, coupon: 0n, fee: 0n, payer: K.clearing, payee: K.m(o.target, 'PSETTLE'), sources: [K.m(o.target, 'AVAILABLE'), K.m(o.target, 'PSETTLE')], payeeUser: null, refunded: 0n, confirmed: 0n };
				} else if (o.kind === 'inner') {
					Object.assign(input, { txnType: 'INNER_FUND_EXCHANGE', userId: users[o.u], feeAmount: o.fee, status: 'TRADE_SUCCESS' });
					mp = { no, txnType: 'INNER_FUND_EXCHANGE', status: 'TRADE_SUCCESS', amount: o.amount, coupon: 0n, fee: o.fee, payer: K.m('MCHOWN', 'AVAILABLE'), payee: K.u(users[o.u], 'PSETTLE'), sources: [K.u(users[o.u], 'AVAILABLE'), K.u(users[o.u], 'PSETTLE')], payeeUser: null, refunded: 0n, confirmed: 0n };
				} else {
					const u = o.u === null ? null : users[o.u];
					const payee = o.payee === null ? null : users[o.payee];
					Object.assign(input, {
						txnType: o.secured ? 'SECURED_CONSUME' : 'GENERAL_CONSUME',
						userId: u,
						payMethod: o.balance ? 'BALANCE' : 'ALIPAY_APP',
						couponAmount: o.coupon,
						feeAmount: o.fee,
						payeeUserId: o.secured ? payee : null
					});
					invalid = o.coupon > o.amount || (o.balance && u === null);
					const assure = K.m('MCHASSURE', 'AVAILABLE');
					mp = {
						no,
						txnType: input.txnType,
						status: input.status,
						amount: o.amount,
						coupon: o.coupon,
						fee: o.fee,
						payer: o.balance && u !== null ? K.u(u, 'AVAILABLE') : K.clearing,
						payee: o.secured ? assure : K.m('MCHOWN', 'PSETTLE'),
						sources: o.secured ? [assure] : [K.m('MCHOWN', 'AVAILABLE'), K.m('MCHOWN', 'PSETTLE')],
						payeeUser: o.secured ? payee : null,
						refunded: 0n,
						confirmed: 0n
					};
				}
				expected = invalid ? { ok: false, key: 'ledger.invalidPosting' } : wait ? { ok: true, moved: false } : model.payMoney(mp, undefined);
				actual = postPayment(db, input);
				onOk = () => {
					model.payments.push(mp);
					last.payment = input;
				};
				break;
			}
			case 'confirm': {
				const secured = model.payments.filter((p) => p.txnType === 'SECURED_CONSUME');
				if (secured.length === 0) continue;
				const original = secured[o.pick % secured.length];
				const no = txnNo('SC');
				const toUser = o.toUser === null ? null : users[o.toUser];
				const payeeUser = toUser ?? original.payeeUser;
				const mp: MPayment = { no, txnType: 'SECURED_CONFIRM', status: 'TRADE_SUCCESS', amount: o.amount, coupon: 0n, fee: 0n, payer: K.m('MCHASSURE', 'AVAILABLE'), payee: payeeUser === null ? K.m('MCHOWN', 'PSETTLE') : K.u(payeeUser, 'PSETTLE'), sources: [], payeeUser: null, refunded: 0n, confirmed: 0n };
				expected = original.status !== 'TRADE_SUCCESS' ? { ok: false, key: 'ledger.notSecured' } : model.payMoney(mp, original);
				const input: PaymentPosting = { merchantId: mid, platformTxnNo: no, merchantOrderNo: `M${no}`, txnType: 'SECURED_CONFIRM', status: 'TRADE_SUCCESS', amount: o.amount, originalPlatformTxnNo: original.no, payeeUserId: toUser, createdAt: at };
				actual = postPayment(db, input);
				onOk = () => {
					model.payments.push(mp);
					last.payment = input;
				};
				break;
			}
			case 'complete':
			case 'close': {
				if (model.payments.length === 0) continue;
				const p = model.payments[o.pick % model.payments.length];
				if (o.kind === 'complete') {
					if (p.status === 'TRADE_SUCCESS') expected = { ok: true, moved: false };
					else if (p.status !== 'TRADE_WAIT_PAY') expected = { ok: false, key: 'ledger.illegalTransition' };
					else expected = model.payMoney(p);
					actual = completePayment(db, { merchantId: mid, platformTxnNo: p.no, at });
					onOk = () => void (p.status = 'TRADE_SUCCESS');
				} else {
					const status = o.cancel ? 'TRADE_CANCEL' : 'TRADE_CLOSE';
					expected = p.status === status || p.status === 'TRADE_WAIT_PAY' ? { ok: true, moved: false } : { ok: false, key: 'ledger.illegalTransition' };
					actual = closePayment(db, { merchantId: mid, platformTxnNo: p.no, at, status });
					onOk = () => void (p.status = status);
				}
				break;
			}
			case 'refund': {
				if (model.payments.length === 0) continue;
				// half the time one of the last few payments, which are likelier to still be refundable
				const n = model.payments.length;
				const p = o.recent ? model.payments[n - 1 - (o.pick % Math.min(3, n))] : model.payments[o.pick % n];
				const no = txnNo('R');
				// `fit`: scale the amount into what is left, so many refunds get past the cap check
				const room = model.refundable(p) - model.pendingRefunds(p);
				const refundAmount = o.fit && room > 0n ? 1n + ((o.amount - 1n) % room) : o.amount;
				const r = { no, payment: p, amount: refundAmount, status: o.status as string };
				if (p.status !== 'TRADE_SUCCESS' || p.txnType === 'SECURED_CONFIRM') expected = { ok: false, key: 'ledger.notRefundable' };
				else if (o.status !== 'TRADE_FAILURE' && refundAmount > room) expected = { ok: false, key: 'ledger.refundExceeds' };
				else if (o.status === 'TRADE_SUCCESS') {
					if (p.sources.length === 2 && model.get(p.sources[0]) > 0n && model.get(p.sources[1]) > 0n) seen.set(`refund:bothSources:${p.txnType}`, (seen.get(`refund:bothSources:${p.txnType}`) ?? 0) + 1);
					expected = model.refundMoney(r);
				}
				else expected = { ok: true, moved: false };
				const input: RefundPosting = { merchantId: mid, platformTxnNo: no, refundNo: `N${no}`, paymentPlatformTxnNo: p.no, amount: refundAmount, status: o.status, createdAt: at };
				actual = postRefund(db, input);
				onOk = () => {
					model.refunds.push(r);
					last.refund = input;
				};
				break;
			}
			case 'completeRefund': {
				if (model.refunds.length === 0) continue;
				const r = model.refunds[o.pick % model.refunds.length];
				const status = o.success ? 'TRADE_SUCCESS' : 'TRADE_FAILURE';
				if (r.status === status) expected = { ok: true, moved: false };
				else if (r.status !== 'TRADE_PROCESSING') expected = { ok: false, key: 'ledger.illegalTransition' };
				else if (o.success) expected = model.refundMoney(r);
				else expected = { ok: true, moved: false };
				actual = completeRefund(db, { merchantId: mid, platformTxnNo: r.no, at, status });
				onOk = () => void (r.status = status);
				break;
			}
			case 'withdraw': {
				const no = txnNo('W');
				const u = o.u === null ? null : users[o.u];
				const type = o.outer ? 'OUTER_FUND_EXCHANGE' : 'ACCT_CASH_OUT';
				const w: MWithdrawal = { no, source: type === 'ACCT_CASH_OUT' && u !== null ? K.u(u, 'AVAILABLE') : K.m('MCHOWN', 'AVAILABLE'), amount: o.amount, fee: o.fee, status: o.status };
				expected = o.status === 'TRADE_FAILURE' ? { ok: true, moved: false } : model.withdrawMoney(w);
				const input: WithdrawalPosting = { merchantId: mid, platformTxnNo: no, merchantOrderNo: `O${no}`, txnType: type, status: o.status, amount: o.amount, feeAmount: o.fee, userId: u, cardNo: '6222020200112233445', createdAt: at };
				actual = postWithdrawal(db, input);
				onOk = () => {
					model.withdrawals.push(w);
					last.withdrawal = input;
				};
				break;
			}
			case 'withdrawStatus': {
				if (model.withdrawals.length === 0) continue;
				const w = model.withdrawals[o.pick % model.withdrawals.length];
				const next: Record<string, string[]> = {
					TRADE_CHECKING: ['TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'],
					TRADE_PREPAID: ['TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'],
					TRADE_SUCCESS: ['TRADE_CANCEL']
				};
				if (w.status === o.status) expected = { ok: true, moved: false };
				else if (!(next[w.status] ?? []).includes(o.status)) expected = { ok: false, key: 'ledger.illegalTransition' };
				else if (o.status === 'TRADE_FAILURE' || o.status === 'TRADE_CANCEL') expected = model.withdrawMoney(w, true);
				else expected = { ok: true, moved: false };
				actual = updateWithdrawalStatus(db, { merchantId: mid, platformTxnNo: w.no, status: o.status, at });
				onOk = () => void (w.status = o.status);
				break;
			}
			case 'settle': {
				day += 1;
				model.settle();
				expected = { ok: true, moved: true };
				actual = runDailySettlement(db, { merchantId: mid, accountingDate: addDays('2026-11-20', day), at });
				break;
			}
			case 'replay': {
				const before = await balances(db, mid);
				const r =
					o.what === 'payment' && last.payment
						? await postPayment(db, last.payment)
						: o.what === 'refund' && last.refund
							? await postRefund(db, last.refund)
							: o.what === 'withdrawal' && last.withdrawal
								? await postWithdrawal(db, last.withdrawal)
								: null;
				// Nothing of that kind posted yet: nothing to replay, and nothing may change either.
				expect(r?.created ?? false, `replay ${o.what} at op ${i}`).toBe(false);
				expect(await balances(db, mid)).toEqual(before);
				if (r) seen.set('replay', (seen.get('replay') ?? 0) + 1);
				continue;
			}
		}
		const got = await outcome(actual);
		log.push(`${i} ${o.kind}: expected ${JSON.stringify(expected, (_, v) => (typeof v === 'bigint' ? String(v) : v))} got ${JSON.stringify(got)}`);
		if (!same(expected, got)) throw new Error(`outcome differs at op ${i} (${o.kind}):\n${log.join('\n')}`);
		if (got.ok) onOk();
		// compared after every operation: a later settlement would hide a PSETTLE/AVAILABLE mix-up
		await expectBalances(mid, model, log);
		const tag = got.ok ? `${o.kind}:ok` : got.key;
		seen.set(tag, (seen.get(tag) ?? 0) + 1);
	}

	await expectBalances(mid, model, log);
	// order totals equal the model
	const rows = await db.selectFrom('payments').select(['platform_txn_no', 'status', 'refunded_amount', 'confirmed_amount']).where('merchant_id', '=', mid).execute();
	const byNo = new Map(rows.map((r) => [r.platform_txn_no, r]));
	for (const p of model.payments) {
		const row = byNo.get(p.no)!;
		expect([row.status, row.refunded_amount, row.confirmed_amount]).toEqual([p.status, p.refunded, p.confirmed]);
	}
	expect(rows).toHaveLength(model.payments.length);
	expect(await checkInvariants(db, mid)).toEqual([]);
	return log.length;
}

describe('ledger properties', () => {
	it('random operation sequences keep the invariants and match the model', async () => {
		let ops = 0;
		await fc.assert(
			fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 50, size: 'max' }), fc.boolean(), async (seq, funded) => {
				// Most sequences start with money everywhere, so random operations get past the
				// balance checks and reach the interesting rules; the rest start from nothing.
				ops += await runSequence(funded ? [...FUNDING, ...seq] : seq);
			}),
			{ numRuns: Number(process.env.LEDGER_RUNS ?? 30), endOnFailure: true, seed: process.env.LEDGER_SEED ? Number(process.env.LEDGER_SEED) : undefined } // no shrinking: each retry replays whole sequences; the error carries the op log
		);
		// the random walk must have reached every kind of refusal and a real replay, or it proves little
		const reached = [...seen].sort().map(([k, n]) => `${k}=${n}`).join(' ');
		const kinds = ['ledger.insufficientFunds', 'ledger.refundExceeds', 'ledger.illegalTransition', 'ledger.notRefundable', 'ledger.invalidPosting', 'replay'];
		expect(kinds.filter((k) => !seen.get(k)), `${ops} operations reached: ${reached}`).toEqual([]);
		expect(await checkInvariants(db)).toEqual([]);
	}, 300_000);
});
