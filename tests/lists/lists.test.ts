// The list engine against independent plain SQL on seeded data: rows, order, totals, deep and
// last pages, masking, range limits, merchant scoping, and the rollups against a plain SUM.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { seedDemo } from '#seed/demo.ts';
import { rebuildRollups, rollupDrift } from '#shared/server/lists/rollup.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { callerFor, signedIn, type Caller } from '../fixtures/context.ts';
import { pay } from '../fixtures/ledger.ts';
import { makeStaff, type Merchant } from '../fixtures/merchant.ts';
import { rng, type Rng } from '../fixtures/rng.ts';

const db = getDb();
const now = new Date();
const today = businessDate(now);
let main: Merchant;
let other: Merchant;
let mainStaff: Awaited<ReturnType<typeof makeStaff>>;
let caller: Caller;
let otherCaller: Caller;

const pad = (n: number) => String(n).padStart(2, '0');
/** A random range inside the seeded window: date-only or to the second, both ends set. */
function randomRange(r: Rng, maxSpan = 25): { from: string; to: string } {
	const start = addDays(today, -r.int(0, 24));
	const end = addDays(start, r.int(0, maxSpan - 1));
	if (r.chance(0.5)) return { from: start, to: end > today ? today : end };
	const t = () => `${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}`;
	const a = `${start} ${t()}`;
	const b = `${end > today ? today : end} ${t()}`;
	return a <= b ? { from: a, to: b } : { from: b, to: a };
}
/** The same bounds computed by Postgres from the text, independently of the engine. */
const lower = (from: string) => sql`(${from}::timestamp AT TIME ZONE 'Asia/Shanghai')`;
const upper = (to: string) =>
	to.length === 10
		? sql`((${to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`
		: sql`((${to}::timestamp + interval '1 second') AT TIME ZONE 'Asia/Shanghai')`;

/** A page and a page size that land anywhere: first, deep, last, beyond. */
function randomPaging(r: Rng, count: number): { page: number; pageSize: 10 | 20 | 50 | 100 } {
	const pageSize = r.pick([10, 20, 50, 100] as const);
	const last = Math.max(1, Math.ceil(count / pageSize));
	const page = r.pick([1, last, Math.max(1, last - 1), r.int(1, last), r.int(1, last), last + 1]);
	return { page, pageSize };
}

beforeAll(async () => {
	const seeded = await seedDemo(db, { users: 40, days: 26, ordersPerDay: 40, secondUsers: 10, secondDays: 10, secondOrdersPerDay: 8, now });
	const [a, b] = seeded.merchants;
	[main, other] = await db.selectFrom('merchants').selectAll().where('id', 'in', [a.id, b.id]).orderBy('id').execute();
	mainStaff = await makeStaff(db, main.id);
	caller = callerFor(db, signedIn(main, mainStaff));
	otherCaller = callerFor(db, signedIn(other, await makeStaff(db, other.id)));
}, 600_000);

describe('rollups', () => {
	it('equal a plain SUM over the orders and flows, after the ledger wrote them and after a rebuild', async () => {
		const c = await db.selectFrom('payments').select(sql<bigint>`count(*)`.as('n')).where('merchant_id', '=', main.id).executeTakeFirstOrThrow();
		expect(c.n).toBeGreaterThan(300n);
		expect(await rollupDrift(db, main.id)).toEqual([]);
		expect(await rollupDrift(db, other.id)).toEqual([]);
		await rebuildRollups(db, main.id);
		expect(await rollupDrift(db, main.id)).toEqual([]);
	});

	it('follow a status change, an amount change and a delete', async () => {
		// A payment still waiting, so there is a status to change whatever the seed drew.
		const waiting = await pay(db, other.id, { txnType: 'GENERAL_CONSUME', status: 'TRADE_WAIT_PAY', amount: 1_234n, at: now });
		const changed = await db.transaction().execute(async (trx) => {
			const closed = await trx.updateTable('payments').set({ status: 'TRADE_CLOSE' }).where('id', '=', waiting.paymentId).where('status', '=', 'TRADE_WAIT_PAY').executeTakeFirst();
			const grown = await trx.updateTable('payments').set({ amount: sql`amount + 1` }).where('merchant_id', '=', other.id).where('refunded_amount', '=', 0n).where('confirmed_amount', '=', 0n).executeTakeFirst();
			return { closed: closed.numUpdatedRows, grown: grown.numUpdatedRows > 0n };
		});
		expect(changed).toEqual({ closed: 1n, grown: true });
		expect(await rollupDrift(db, other.id)).toEqual([]);
		// The closed payment moved no money, so nothing refers to it.
		const gone = await db.deleteFrom('payments').where('id', '=', waiting.paymentId).executeTakeFirst();
		expect(gone.numDeletedRows).toBe(1n);
		expect(await rollupDrift(db, other.id)).toEqual([]);
	});
});

describe('payments.list', () => {
	it('equals plain SQL on random filters, pages and ranges', async () => {
		const r = rng(4001);
		const users = await db.selectFrom('users').select('user_no').where('merchant_id', '=', main.id).execute();
		const orders = await db.selectFrom('payments').select('merchant_order_no').where('merchant_id', '=', main.id).limit(50).execute();
		for (let i = 0; i < 40; i++) {
			const range = randomRange(r);
			const filter = {
				txnType: r.chance(0.5) ? r.pick(['USER_TOPUP', 'MCH_TOPUP', 'GENERAL_CONSUME', 'SECURED_CONSUME', 'SECURED_CONFIRM', 'INNER_FUND_EXCHANGE'] as const) : ('' as const),
				status: r.chance(0.5) ? r.pick(['TRADE_WAIT_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSE', 'TRADE_CANCEL'] as const) : ('' as const),
				userNo: r.chance(0.2) ? r.pick(users).user_no : '',
				merchantOrderNo: r.chance(0.1) ? r.pick(orders).merchant_order_no : '',
				...range
			};
			const where = sql`p.merchant_id = ${main.id}
				AND (${filter.txnType} = '' OR p.txn_type = ${filter.txnType})
				AND (${filter.status} = '' OR p.status = ${filter.status})
				AND (${filter.merchantOrderNo} = '' OR p.merchant_order_no = ${filter.merchantOrderNo})
				AND (${filter.userNo} = '' OR p.user_id = (SELECT id FROM users WHERE merchant_id = ${main.id} AND user_no = ${filter.userNo}))
				AND p.created_at >= ${lower(filter.from)} AND p.created_at < ${upper(filter.to)}`;
			const tot = (await sql<{ n: bigint; s: bigint }>`SELECT count(*) AS n, coalesce(sum(amount), 0)::bigint AS s FROM payments p WHERE ${where}`.execute(db)).rows[0];
			const { page, pageSize } = randomPaging(r, Number(tot.n));
			const want = (
				await sql<{ id: bigint }>`SELECT p.id FROM payments p WHERE ${where} ORDER BY p.created_at DESC, p.id DESC OFFSET ${(page - 1) * pageSize} LIMIT ${pageSize}`.execute(db)
			).rows.map((x) => x.id);
			const got = await caller.payments.list({ filter, page, pageSize });
			expect({ i, count: got.total.count, amount: got.total.amount, ids: got.rows.map((x) => x.id) }).toEqual({ i, count: tot.n, amount: tot.s, ids: want });
		}
	});

	it('defaults to the last 7 days and refuses a range over 93 days or inverted', async () => {
		const def = await caller.payments.list({});
		const week = await caller.payments.list({ filter: { from: addDays(today, -6), to: today } });
		expect(def.total).toEqual(week.total);
		await expect(caller.payments.list({ filter: { from: addDays(today, -93), to: today } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		await expect(caller.payments.list({ filter: { from: addDays(today, -92), to: today } })).resolves.toBeTruthy();
		await expect(caller.payments.list({ filter: { from: today, to: addDays(today, -1) } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		const e = await caller.payments.list({ filter: { from: addDays(today, -100), to: today } }).catch((x) => x);
		expect(JSON.stringify(e.cause?.issues ?? e.message)).toContain('lists.rangeTooLong');
	});
});

describe('refunds.list', () => {
	it('equals plain SQL on random filters', async () => {
		const r = rng(4002);
		const pays = await db
			.selectFrom('refunds as r')
			.innerJoin('payments as p', 'p.id', 'r.payment_id')
			.select(['p.merchant_order_no', 'r.refund_no'])
			.where('r.merchant_id', '=', main.id)
			.limit(30)
			.execute();
		expect(pays.length).toBeGreaterThan(0);
		for (let i = 0; i < 30; i++) {
			const range = randomRange(r);
			const processed = r.chance(0.3) ? randomRange(r) : { from: '', to: '' };
			const filter = {
				status: r.chance(0.5) ? r.pick(['TRADE_PROCESSING', 'TRADE_SUCCESS', 'TRADE_FAILURE'] as const) : ('' as const),
				refundNo: r.chance(0.15) ? r.pick(pays).refund_no : '',
				paymentMerchantOrderNo: r.chance(0.15) ? r.pick(pays).merchant_order_no : '',
				...range,
				processedFrom: processed.from,
				processedTo: processed.to
			};
			const where = sql`r.merchant_id = ${main.id}
				AND (${filter.status} = '' OR r.status = ${filter.status})
				AND (${filter.refundNo} = '' OR r.refund_no = ${filter.refundNo})
				AND (${filter.paymentMerchantOrderNo} = '' OR p.merchant_order_no = ${filter.paymentMerchantOrderNo})
				AND r.created_at >= ${lower(filter.from)} AND r.created_at < ${upper(filter.to)}
				AND (${filter.processedFrom} = '' OR (r.processed_at >= ${lower(processed.from || today)} AND r.processed_at < ${upper(processed.to || today)}))`;
			const tot = (
				await sql<{ n: bigint; s: bigint }>`SELECT count(*) AS n, coalesce(sum(r.amount), 0)::bigint AS s FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE ${where}`.execute(db)
			).rows[0];
			const { page, pageSize } = randomPaging(r, Number(tot.n));
			const want = (
				await sql<{ id: bigint; o: string }>`SELECT r.id, p.merchant_order_no AS o FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE ${where}
					ORDER BY r.created_at DESC, r.id DESC OFFSET ${(page - 1) * pageSize} LIMIT ${pageSize}`.execute(db)
			).rows;
			const got = await caller.refunds.list({ filter, page, pageSize });
			expect({ i, count: got.total.count, amount: got.total.amount, rows: got.rows.map((x) => [x.id, x.paymentMerchantOrderNo]) }).toEqual({
				i,
				count: tot.n,
				amount: tot.s,
				rows: want.map((x) => [x.id, x.o])
			});
		}
	});
});

describe('withdrawals.list', () => {
	it('equals plain SQL on random filters', async () => {
		const r = rng(4003);
		const ws = await db
			.selectFrom('withdrawals as w')
			.leftJoin('users as u', 'u.id', 'w.user_id')
			.select(['w.merchant_order_no', 'w.card_no', 'u.user_no', 'u.phone'])
			.where('w.merchant_id', '=', main.id)
			.limit(30)
			.execute();
		expect(ws.length).toBeGreaterThan(0);
		for (let i = 0; i < 30; i++) {
			const w = r.pick(ws);
			const filter = {
				txnType: r.chance(0.5) ? r.pick(['ACCT_CASH_OUT', 'OUTER_FUND_EXCHANGE'] as const) : ('' as const),
				status: r.chance(0.5) ? r.pick(['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'] as const) : ('' as const),
				merchantOrderNo: r.chance(0.1) ? w.merchant_order_no : '',
				cardNo: r.chance(0.15) ? w.card_no : '',
				userNo: r.chance(0.15) ? (w.user_no ?? '') : '',
				userPhone: r.chance(0.15) ? (w.phone ?? '') : '',
				...randomRange(r)
			};
			const where = sql`w.merchant_id = ${main.id}
				AND (${filter.txnType} = '' OR w.txn_type = ${filter.txnType})
				AND (${filter.status} = '' OR w.status = ${filter.status})
				AND (${filter.merchantOrderNo} = '' OR w.merchant_order_no = ${filter.merchantOrderNo})
				AND (${filter.cardNo} = '' OR w.card_no = ${filter.cardNo})
				AND (${filter.userNo} = '' OR u.user_no = ${filter.userNo})
				AND (${filter.userPhone} = '' OR u.phone = ${filter.userPhone})
				AND w.created_at >= ${lower(filter.from)} AND w.created_at < ${upper(filter.to)}`;
			const tot = (
				await sql<{ n: bigint; s: bigint }>`SELECT count(*) AS n, coalesce(sum(w.amount), 0)::bigint AS s FROM withdrawals w LEFT JOIN users u ON u.id = w.user_id WHERE ${where}`.execute(db)
			).rows[0];
			const { page, pageSize } = randomPaging(r, Number(tot.n));
			const want = (
				await sql<{ id: bigint }>`SELECT w.id FROM withdrawals w LEFT JOIN users u ON u.id = w.user_id WHERE ${where}
					ORDER BY w.created_at DESC, w.id DESC OFFSET ${(page - 1) * pageSize} LIMIT ${pageSize}`.execute(db)
			).rows.map((x) => x.id);
			const got = await caller.withdrawals.list({ filter, page, pageSize });
			expect({ i, count: got.total.count, amount: got.total.amount, ids: got.rows.map((x) => x.id) }).toEqual({ i, count: tot.n, amount: tot.s, ids: want });
		}
	});
});

describe('flows.list and accounts.flows', () => {
	it('equal plain SQL on random filters, for the merchant accounts and for one user', async () => {
		const r = rng(4004);
		const users = await db.selectFrom('users').select('user_no').where('merchant_id', '=', main.id).execute();
		const txnTypes = (await sql<{ t: string }>`SELECT DISTINCT txn_type AS t FROM fund_flows WHERE merchant_id = ${main.id}`.execute(db)).rows.map((x) => x.t);
		/** flows.list against plain SQL for one random filter of `userNo`'s accounts ('' = the merchant's own). */
		const flowsCase = async (i: number, userNo: string) => {
			const filter = {
				userNo,
				accountType: r.chance(0.4) ? r.pick(userNo ? (['USEROWN'] as const) : (['MCHOWN', 'MCHASSURE', 'MCHCOUPON', 'MCHFEE'] as const)) : ('' as const),
				subType: r.chance(0.4) ? r.pick(['PSETTLE', 'AVAILABLE'] as const) : ('' as const),
				txnType: (r.chance(0.4) ? r.pick(txnTypes) : '') as '',
				direction: r.chance(0.4) ? r.pick(['CREDIT', 'DEBIT'] as const) : ('' as const),
				...randomRange(r)
			};
			const where = sql`f.merchant_id = ${main.id} AND a.account_type <> 'CLEARING'
				AND (CASE WHEN ${userNo} = '' THEN a.user_id IS NULL ELSE a.user_id = (SELECT id FROM users WHERE merchant_id = ${main.id} AND user_no = ${userNo}) END)
				AND (${filter.accountType} = '' OR a.account_type = ${filter.accountType})
				AND (${filter.subType} = '' OR a.sub_type = ${filter.subType})
				AND (${filter.txnType} = '' OR f.txn_type = ${filter.txnType})
				AND (${filter.direction} = '' OR f.direction = ${filter.direction})
				AND f.created_at >= ${lower(filter.from)} AND f.created_at < ${upper(filter.to)}`;
			const tot = (
				await sql<{ n: bigint; s: bigint; c: bigint; d: bigint }>`SELECT count(*) AS n, coalesce(sum(f.amount), 0)::bigint AS s,
					coalesce(sum(f.amount) FILTER (WHERE f.direction = 'CREDIT'), 0)::bigint AS c,
					coalesce(sum(f.amount) FILTER (WHERE f.direction = 'DEBIT'), 0)::bigint AS d
					FROM fund_flows f JOIN accounts a ON a.id = f.account_id WHERE ${where}`.execute(db)
			).rows[0];
			const { page, pageSize } = randomPaging(r, Number(tot.n));
			const want = (
				await sql<{ id: bigint; b: bigint }>`SELECT f.id, f.balance_after AS b FROM fund_flows f JOIN accounts a ON a.id = f.account_id WHERE ${where}
					ORDER BY f.created_at DESC, f.id DESC OFFSET ${(page - 1) * pageSize} LIMIT ${pageSize}`.execute(db)
			).rows;
			const got = await caller.flows.list({ filter, page, pageSize });
			const { count, amount, credit, debit } = got.total;
			expect({ i, count, amount, credit, debit, rows: got.rows.map((x) => [x.id, x.balanceAfter]) }).toEqual({
				i,
				count: tot.n,
				amount: tot.s,
				credit: tot.c,
				debit: tot.d,
				rows: want.map((x) => [x.id, x.b])
			});
			return { filter, page, pageSize, got };
		};
		// The merchant's own accounts; accounts.flows (a home card's 资金明细) shows the same.
		for (let i = 0; i < 26; i++) {
			const { filter, page, pageSize, got } = await flowsCase(i, '');
			const acc = await caller.accounts.flows({ filter: { ...filter, userNo: '', accountType: filter.accountType as '' }, page, pageSize });
			expect(acc.total).toEqual(got.total);
			expect(acc.rows.map((x) => x.id)).toEqual(got.rows.map((x) => x.id));
		}
		// One user's accounts.
		for (let i = 26; i < 40; i++) await flowsCase(i, r.pick(users).user_no);
	});

	it('the flow detail carries its order; accounts.flow never shows a user flow', async () => {
		const userFlow = await db.selectFrom('fund_flows').select(['id']).where('merchant_id', '=', main.id).where('user_id', 'is not', null).executeTakeFirstOrThrow();
		const ownFlow = await db
			.selectFrom('fund_flows')
			.select(['id', 'order_no', 'order_kind'])
			.where('merchant_id', '=', main.id)
			.where('user_id', 'is', null)
			.where('account_type', '=', 'MCHOWN')
			.where('order_kind', '=', 'PAYMENT')
			.executeTakeFirstOrThrow();
		const d = await caller.flows.get({ id: ownFlow.id });
		expect(d.orderNo).toBe(ownFlow.order_no);
		expect(d.orderStatus).toBeTruthy();
		expect(d.orderLink?.kind).toBe('PAYMENT');
		expect((await caller.accounts.flow({ id: ownFlow.id })).id).toBe(ownFlow.id);
		await expect(caller.accounts.flow({ id: userFlow.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
		expect((await caller.flows.get({ id: userFlow.id })).id).toBe(userFlow.id);
	});
});

describe('users.list', () => {
	it('equals plain SQL on random filters and masks names, phones and ID numbers', async () => {
		const r = rng(4005);
		const all = await db.selectFrom('users').selectAll().where('merchant_id', '=', main.id).execute();
		for (let i = 0; i < 30; i++) {
			const u = r.pick(all);
			const range = r.chance(0.5) ? { from: addDays(today, -r.int(30, 200)), to: addDays(today, -r.int(0, 29)) } : { from: '', to: '' };
			const filter = {
				userNo: r.chance(0.15) ? u.user_no : '',
				name: r.chance(0.15) ? u.name : '',
				phone: r.chance(0.15) ? u.phone : '',
				idNo: r.chance(0.1) ? u.id_no : '',
				userType: r.chance(0.4) ? r.pick(['INNERUSER', 'INNERCOMPANY'] as const) : ('' as const),
				status: r.chance(0.3) ? r.pick(['NORMAL', 'PAUSE', 'CANCEL'] as const) : ('' as const),
				idType: r.chance(0.2) ? r.pick(['ID_CARD', 'UNIFIED_CODE'] as const) : ('' as const),
				...range
			};
			const want = all
				.filter(
					(x) =>
						(!filter.userNo || x.user_no === filter.userNo) &&
						(!filter.name || x.name === filter.name) &&
						(!filter.phone || x.phone === filter.phone) &&
						(!filter.idNo || x.id_no === filter.idNo) &&
						(!filter.userType || x.user_type === filter.userType) &&
						(!filter.status || x.status === filter.status) &&
						(!filter.idType || x.id_type === filter.idType) &&
						(!filter.from || businessDate(x.registered_at) >= filter.from) &&
						(!filter.to || businessDate(x.registered_at) <= filter.to)
				)
				.sort((a, b) => b.registered_at.getTime() - a.registered_at.getTime() || (b.id > a.id ? 1 : -1));
			const { page, pageSize } = randomPaging(r, want.length);
			const got = await caller.users.list({ filter, page, pageSize });
			expect(got.total).toEqual({ count: BigInt(want.length), amount: null });
			expect(got.rows.map((x) => x.id)).toEqual(want.slice((page - 1) * pageSize, page * pageSize).map((x) => x.id));
		}
		const one = (await caller.users.list({ filter: { phone: all[0].phone } })).rows.find((x) => x.id === all[0].id)!;
		expect(one.phone).toBe(`${all[0].phone.slice(0, 3)}****${all[0].phone.slice(-4)}`);
		expect(one.idNo.startsWith(all[0].id_no.slice(0, 4)) && one.idNo.endsWith(all[0].id_no.slice(-4))).toBe(true);
		expect(one.idNo).toContain('*');
		// The manual's rule: the first character hidden, the rest shown (*李文, *佳).
		expect(one.name).toBe(`*${[...all[0].name].slice(1).join('')}`);
		const detail = await caller.users.get({ id: all[0].id });
		expect(detail.phone).toBe(one.phone);
		// A user with bank cards, so the card masking is really looked at.
		const carded = await db.selectFrom('bank_cards').select(['user_id', 'card_no']).where('merchant_id', '=', main.id).orderBy('id').execute();
		const cardsOf = carded.filter((c) => c.user_id === carded[0].user_id);
		expect(cardsOf.length).toBeGreaterThan(0);
		const cards = (await caller.users.get({ id: cardsOf[0].user_id })).cards;
		expect(cards).toHaveLength(cardsOf.length);
		// The bank's 6-digit prefix and the last four, one star per hidden digit (621700******1234).
		expect(cards.map((c) => c.cardNo).sort()).toEqual(cardsOf.map((c) => `${c.card_no.slice(0, 6)}${'*'.repeat(c.card_no.length - 10)}${c.card_no.slice(-4)}`).sort());
	});
});

describe('details', () => {
	it('payment detail links its refunds and flows; refund links back', async () => {
		const ref = await db.selectFrom('refunds').select(['id', 'payment_id']).where('merchant_id', '=', main.id).executeTakeFirstOrThrow();
		const p = await caller.payments.get({ id: ref.payment_id });
		expect(p.refunds.map((x) => x.id)).toContain(ref.id);
		expect(p.flows.length).toBeGreaterThan(0);
		const rd = await caller.refunds.get({ id: ref.id });
		expect(rd.paymentId).toBe(ref.payment_id);
		// A guarantee payment and its confirmation, whatever the seed drew.
		const secured = await pay(db, main.id, { txnType: 'SECURED_CONSUME', amount: 5_000n, at: now });
		const confirm = await pay(db, main.id, { txnType: 'SECURED_CONFIRM', amount: 3_000n, originalPlatformTxnNo: secured.platformTxnNo, payMethod: null, at: now });
		const d = await caller.payments.get({ id: confirm.paymentId });
		expect(d.secured?.original?.id).toBe(secured.paymentId);
		const o = await caller.payments.get({ id: secured.paymentId });
		expect(o.secured?.confirmations.map((x) => x.id)).toEqual([confirm.paymentId]);
	});

	it("another merchant's id or a missing one is NOT_FOUND", async () => {
		const ids = {
			payments: (await db.selectFrom('payments').select('id').where('merchant_id', '=', main.id).executeTakeFirstOrThrow()).id,
			refunds: (await db.selectFrom('refunds').select('id').where('merchant_id', '=', main.id).executeTakeFirstOrThrow()).id,
			withdrawals: (await db.selectFrom('withdrawals').select('id').where('merchant_id', '=', main.id).executeTakeFirstOrThrow()).id,
			flows: (await db.selectFrom('fund_flows').select('id').where('merchant_id', '=', main.id).where('account_type', '<>', 'CLEARING').executeTakeFirstOrThrow()).id,
			users: (await db.selectFrom('users').select('id').where('merchant_id', '=', main.id).executeTakeFirstOrThrow()).id
		};
		for (const [k, id] of Object.entries(ids) as [keyof typeof ids, bigint][]) {
			await expect(caller[k].get({ id })).resolves.toBeTruthy();
			await expect(otherCaller[k].get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'error.notFound' });
			await expect(caller[k].get({ id: 999_999_999n })).rejects.toMatchObject({ code: 'NOT_FOUND' });
		}
		await expect(otherCaller.accounts.flow({ id: ids.flows })).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	it('a list needs its permission', async () => {
		const c = callerFor(db, signedIn(main, mainStaff, ['payments.read']));
		await expect(c.payments.list({})).resolves.toBeTruthy();
		await expect(c.refunds.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(c.accounts.flows({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
	});
});

describe('settings columns', () => {
	it('remembers the chosen columns per person and list', async () => {
		expect(await caller.settings.getColumns({ list: 'payments' })).toBeNull();
		await caller.settings.setColumns({ list: 'payments', columns: ['merchantOrderNo', 'amount'] });
		await caller.settings.setColumns({ list: 'payments', columns: ['amount', 'status'] });
		expect(await caller.settings.getColumns({ list: 'payments' })).toEqual(['amount', 'status']);
		expect(await caller.settings.getColumns({ list: 'refunds' })).toBeNull();
		await expect(caller.settings.setColumns({ list: 'payments', columns: ['<script>'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
	});
});
