// Day close (issue 10, item 1): once a day's statement is built nothing is booked on that day
// again; a late posting lands on the open day with its true completion time, and the closed
// day's files stay byte-identical.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { handleIngest } from '#shared/server/ingest/handle.ts';
import { ingestPath, ingestSecret, signatureHeaders } from '#shared/server/ingest/signature.ts';
import { checkInvariants, openMerchantAccounts, postPayment } from '#shared/server/ledger/index.ts';
import { closeFilePool, readFileBytes } from '#shared/server/files/index.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { upsertStatement } from '#shared/server/statements/records.ts';
import { addDays, formatDateTime, yesterday } from '#shared/time.ts';
import { atHour, txnNo } from '../fixtures/ledger.ts';
import { csvRows } from '../fixtures/csv.ts';
import { makeMerchant } from '../fixtures/merchant.ts';

const db = getDb();
const MERCHANT_NO = '2030020200000001';
let merchantId: bigint;
// Two days inside the statement window: the one to close and the one left open after it.
const day = addDays(yesterday(), -5);
const next = addDays(day, 1);

async function ingest(kind: string, body: Record<string, unknown>) {
	const raw = JSON.stringify(body);
	const headers = new Headers(signatureHeaders(ingestSecret(), { method: 'POST', path: ingestPath(kind), body: raw }, new Date()));
	const r = await handleIngest(db, { method: 'POST', kind, body: raw, headers });
	expect(r.status).toBe(200);
	return r;
}

const payment = (at: Date, amount: number) => {
	const no = txnNo('L');
	return {
		merchant_no: MERCHANT_NO,
		platform_txn_no: no,
		merchant_order_no: `M${no}`,
		txn_type: 'MCH_TOPUP',
		status: 'TRADE_SUCCESS',
		amount,
		pay_method: 'WECHAT_APP',
		created_at: at.toISOString()
	};
};

/** Builds (or rebuilds) the day's statement and returns its two files' bytes. */
async function build(date: string) {
	const s = await upsertStatement(db, merchantId, date);
	await db.updateTable('statements').set({ status: 'PENDING' }).where('id', '=', s.id).execute();
	const r = await buildStatement(db, s.id);
	if (r.outcome !== 'built') throw new Error(`not built: ${r.outcome}`);
	return { csv: await readFileBytes(r.csvFileId), xlsx: await readFileBytes(r.xlsxFileId) };
}

/** The statement's rows (between the header and the blank line before 汇总). */
function bodyRows(csv: Buffer): string[][] {
	const lines = csvRows(csv);
	return lines.slice(1, lines.findIndex((l) => l.length === 1 && l[0] === ''));
}

beforeAll(async () => {
	merchantId = (await makeMerchant(db, { merchantNo: MERCHANT_NO })).id;
	await openMerchantAccounts(db, merchantId);
	await ingest('payments', payment(atHour(day, 10), 10_000));
	await ingest('payments', payment(atHour(day, 15), 2_500));
});

afterAll(async () => {
	expect(await checkInvariants(db)).toEqual([]);
	await closeFilePool();
});

describe('a late posting after the day is closed', () => {
	it("keeps the closed day's files byte-identical and lands on the open day with its true completion time", async () => {
		const before = await build(day);
		expect(bodyRows(before.csv)).toHaveLength(2);

		// The notification of a payment completed at 23:58 on the closed day arrives after its statement.
		const late = payment(atHour(day, 23 + 58 / 60), 777);
		await ingest('payments', late);

		const row = await db.selectFrom('payments').selectAll().where('platform_txn_no', '=', late.platform_txn_no).executeTakeFirstOrThrow();
		expect(row.accounting_date).toBe(next);
		expect(row.completed_at!.toISOString()).toBe(atHour(day, 23 + 58 / 60).toISOString());
		const flows = await db.selectFrom('fund_flows').select('accounting_date').where('order_no', '=', late.platform_txn_no).execute();
		expect(flows.length).toBeGreaterThan(0);
		expect(new Set(flows.map((f) => f.accounting_date))).toEqual(new Set([next]));

		const after = await build(day);
		expect(after.csv.equals(before.csv)).toBe(true);
		expect(after.xlsx.equals(before.xlsx)).toBe(true);

		const open = bodyRows((await build(next)).csv);
		const lateRow = open.find((r) => r[1] === late.platform_txn_no);
		expect(lateRow).toBeDefined();
		expect(lateRow![6]).toBe(formatDateTime(atHour(day, 23 + 58 / 60))); // 订单完成时间: when it happened
		expect(lateRow![6].startsWith(day)).toBe(true);
		expect(lateRow![7]).toBe(next); // ACCP账务日期: the open day
		expect(lateRow![21]).toBe('7.77');
	});

	it('lands a late refund and a late status change on the open day too', async () => {
		// Both days are closed now (the test above built the second): the open day is the one after.
		const open = addDays(next, 1);
		const waiting = payment(atHour(day, 9), 5_000);
		await ingest('payments', { ...waiting, status: 'TRADE_WAIT_PAY' });
		await ingest('payment-status', { merchant_no: MERCHANT_NO, platform_txn_no: waiting.platform_txn_no, status: 'TRADE_SUCCESS', at: atHour(day, 9.5).toISOString() });
		const paid = await db.selectFrom('payments').selectAll().where('platform_txn_no', '=', waiting.platform_txn_no).executeTakeFirstOrThrow();
		expect(paid.accounting_date).toBe(open);
		expect(paid.completed_at!.toISOString()).toBe(atHour(day, 9.5).toISOString());
	});
});

describe('a build racing a posting', () => {
	it('waits for a posting in flight on the day it closes, so the statement holds it', async () => {
		const race = addDays(yesterday(), -1);
		const statement = await upsertStatement(db, merchantId, race);
		const no = txnNo('R');
		const trx = await db.startTransaction().execute();
		let built: Promise<Awaited<ReturnType<typeof buildStatement>>> | undefined;
		try {
			await postPayment(trx, {
				merchantId, platformTxnNo: no, merchantOrderNo: `M${no}`, txnType: 'MCH_TOPUP', status: 'TRADE_SUCCESS',
				amount: 4_200n, payMethod: 'WECHAT_APP', createdAt: atHour(race, 22)
			});
			built = buildStatement(db, statement.id);
			// The close waits on the posting's lock on the merchant row.
			await expect
				.poll(async () => {
					const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
						WHERE wait_event_type = 'Lock' AND query LIKE '%FROM merchants WHERE id = %FOR UPDATE%'`.execute(db);
					return r.rows[0].n;
				}, { timeout: 10_000 })
				.toBe(1);
			await trx.commit().execute();
		} catch (e) {
			await trx.rollback().execute();
			throw e;
		}
		const r = await built!;
		if (r.outcome !== 'built') throw new Error(`not built: ${r.outcome}`);
		const rows = bodyRows(await readFileBytes(r.csvFileId));
		expect(rows.map((x) => x[1])).toEqual([no]);
		expect(rows[0][7]).toBe(race);
		// And a posting after the close lands on the day after.
		const after = txnNo('R');
		await postPayment(db, {
			merchantId, platformTxnNo: after, merchantOrderNo: `M${after}`, txnType: 'MCH_TOPUP', status: 'TRADE_SUCCESS',
			amount: 100n, payMethod: 'WECHAT_APP', createdAt: atHour(race, 23)
		});
		const p = await db.selectFrom('payments').select('accounting_date').where('platform_txn_no', '=', after).executeTakeFirstOrThrow();
		expect(p.accounting_date).toBe(addDays(race, 1));
	});
});
