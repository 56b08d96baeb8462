// Range statements (issue 10, item 5): a range of closed days as one CSV or XLSX, built by the
// exports job and fetched from 导出记录. Its rows are the day statements' rows one day after the
// other, its 汇总 and 余额核对 cover the range; checked against the day statements' own files and
// independent SQL over the order tables, fund_flows and accounts.
import { getTRPCErrorShape, TRPCError } from '@trpc/server';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { startWorkers } from '../../jobs/worker.ts';
import { formatYuan } from '#shared/money.ts';
import type { Locale } from '#shared/i18n/messages.ts';
import { statementWindow } from '#shared/schemas/statements.ts';
import { appRouter, createCaller } from '#shared/server/api/root.ts';
import { authorizeFileDownload } from '#shared/server/downloads.ts';
import { buildExport } from '#shared/server/exports/build.ts';
import { closeFilePool, readFileBytes } from '#shared/server/files/index.ts';
import { closeQueues } from '#shared/server/queue/queues.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { upsertStatement } from '#shared/server/statements/records.ts';
import { addDays, businessDate } from '#shared/time.ts';
import type { Permission } from '#shared/permissions.ts';
import { adminOf, contextFor, signedInStaff } from '../fixtures/context.ts';
import { makeMerchant, makeStaff } from '../fixtures/merchant.ts';
import { csvCells, expectedDirections, expectedStatement, parseCsv, seedSmallDemo, type ExpectedRow } from './helpers.ts';
import { dropTestJobs } from '../fixtures/queues.ts';

const db = getDb();
let merchantId: bigint;
let merchantNo: string;
let days: string[];

beforeAll(async () => {
	({ merchantId, merchantNo } = await seedSmallDemo(db));
	// The newest three consecutive closed days with payments.
	const r = await sql<{ d: string }>`SELECT DISTINCT to_char(accounting_date, 'YYYY-MM-DD') AS d FROM payments
		WHERE merchant_id = ${merchantId} AND accounting_date <= ${statementWindow().last}::date ORDER BY 1 DESC`.execute(db);
	const all = r.rows.map((x) => x.d);
	const end = all.findIndex((d, i) => all[i + 2] === addDays(d, -2));
	days = [all[end + 2], all[end + 1], all[end]];
}, 180_000);

afterAll(async () => {
	await closeQueues();
	await closeFilePool();
	// The requests enqueued build jobs no worker ran here.
	await dropTestJobs();
});

const admin = async () => createCaller(contextFor(db, await adminOf(db, merchantId)));

/** A new merchant's admin, or one of its operators holding just `permissions`; `stale`: no password check for an hour. */
async function someone(opts: { permissions?: Permission[]; stale?: boolean; merchant?: bigint } = {}) {
	const mId = opts.merchant ?? (await makeMerchant(db, { name: '另一商户' })).id;
	const staff = await makeStaff(db, mId, { isAdmin: opts.permissions === undefined });
	const auth = await signedInStaff(db, staff, opts.permissions);
	if (opts.stale) auth.verifiedAt = new Date(Date.now() - 3600_000);
	return { auth, caller: createCaller(contextFor(db, auth)), merchantId: mId };
}

/** A day statement built afresh: its CSV bytes. */
async function dayCsv(date: string): Promise<Buffer> {
	const s = await upsertStatement(db, merchantId, date);
	await db.updateTable('statements').set({ status: 'PENDING' }).where('id', '=', s.id).execute();
	const r = await buildStatement(db, s.id);
	if (r.outcome !== 'built') throw new Error(`not built: ${r.outcome}`);
	return readFileBytes(r.csvFileId);
}

/** Builds an export row the way the 'exports.build' job does; its file's bytes. */
async function built(id: bigint): Promise<{ bytes: Buffer; fileId: bigint; rows: number }> {
	const r = await buildExport(db, id);
	if (r.outcome !== 'built') throw new Error(`not built: ${r.outcome}`);
	const row = await db.selectFrom('exports').select(['status', 'file_id', 'rows_done', 'rows_total', 'expires_at']).where('id', '=', id).executeTakeFirstOrThrow();
	expect(row).toMatchObject({ status: 'READY', rows_done: BigInt(r.rows), rows_total: BigInt(r.rows) });
	expect(row.expires_at!.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
	return { bytes: await readFileBytes(row.file_id!), fileId: row.file_id!, rows: r.rows };
}

/** BOM + header line | the rows' bytes | the blank line, 汇总 and 余额核对. */
function parts(bytes: Buffer) {
	expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	const headEnd = bytes.indexOf(0x0a) + 1;
	const tail = bytes.lastIndexOf(Buffer.from('\n汇总'));
	const lines = parseCsv(bytes.subarray(tail + 1).toString('utf8'));
	const blank = lines.findIndex((l) => l.length === 1 && l[0] === '');
	return {
		head: bytes.subarray(0, headEnd),
		rows: bytes.subarray(headEnd, tail),
		summary: lines.slice(2, blank),
		reconciliation: lines.slice(blank + 3)
	};
}

describe('a range statement', () => {
	it('holds the three day statements’ rows in day order, a 汇总 of plain SQL sums and a 余额核对 from fund_flows over the range', async () => {
		expect(days).toHaveLength(3);
		const [from, , to] = days;
		const dayFiles = [];
		for (const d of days) dayFiles.push(parts(await dayCsv(d)));
		expect(dayFiles.every((f) => f.rows.length > 0)).toBe(true);

		const caller = await admin();
		const { id } = await caller.statements.range({ from, to, format: 'CSV' });
		const queued = await db.selectFrom('exports').select(['list_key', 'status', 'format', 'filter']).where('id', '=', id).executeTakeFirstOrThrow();
		expect(queued).toMatchObject({ list_key: 'statementRange', status: 'QUEUED', format: 'CSV', filter: { from, to } });
		const file = await built(id);
		const range = parts(file.bytes);

		// Same header, and the rows byte for byte the days' rows one after the other.
		expect(range.head.equals(dayFiles[0].head)).toBe(true);
		expect(range.rows.equals(Buffer.concat(dayFiles.map((f) => f.rows)))).toBe(true);
		// … which are what the order tables say, day by day.
		const expected: ExpectedRow[] = [];
		for (const d of days) expected.push(...(await expectedStatement(db, merchantId, d)));
		expect(parseCsv(range.rows.toString('utf8'))).toEqual(expected.map((r) => csvCells(r.cells)));
		expect(file.rows).toBe(expected.length);

		// 汇总 over the range: plain SQL sums over the three days.
		expect(range.summary).toEqual(expectedDirections(expected));
		const sums = (
			await sql<{ money_in: bigint; refunds: bigint; payouts: bigint; fees: bigint; in_rows: bigint }>`
			SELECT (SELECT sum(amount) FROM payments WHERE merchant_id = ${merchantId} AND status = 'TRADE_SUCCESS' AND accounting_date BETWEEN ${from}::date AND ${to}::date)::int8 AS money_in,
				(SELECT count(*) FROM payments WHERE merchant_id = ${merchantId} AND status = 'TRADE_SUCCESS' AND accounting_date BETWEEN ${from}::date AND ${to}::date)::int8 AS in_rows,
				(SELECT COALESCE(sum(amount), 0) FROM refunds WHERE merchant_id = ${merchantId} AND status = 'TRADE_SUCCESS' AND accounting_date BETWEEN ${from}::date AND ${to}::date)::int8 AS refunds,
				(SELECT COALESCE(sum(amount), 0) FROM withdrawals WHERE merchant_id = ${merchantId} AND accounting_date BETWEEN ${from}::date AND ${to}::date)::int8 AS payouts,
				((SELECT COALESCE(sum(fee_amount), 0) FROM payments WHERE merchant_id = ${merchantId} AND status = 'TRADE_SUCCESS' AND accounting_date BETWEEN ${from}::date AND ${to}::date)
				 + (SELECT COALESCE(sum(fee_amount), 0) FROM withdrawals WHERE merchant_id = ${merchantId} AND accounting_date BETWEEN ${from}::date AND ${to}::date))::int8 AS fees`.execute(db)
		).rows[0];
		const line = (item: string) => range.summary.find((l) => l[0] === item);
		expect(line('收入合计')).toEqual(['收入合计', '', String(sums.in_rows), formatYuan(sums.money_in)]);
		expect(line('退款')?.[3]).toBe(formatYuan(sums.refunds));
		expect(line('手续费')?.[3]).toBe(formatYuan(sums.fees));
		expect(line('净额')?.[3]).toBe(formatYuan(sums.money_in - sums.refunds - sums.payouts - sums.fees));

		// 余额核对: opening at the start of the first day, closing at the end of the last (balances start at zero).
		const balances = await sql<{ account_type: string; opening: bigint; credits: bigint; debits: bigint; closing: bigint }>`
			SELECT a.account_type,
				COALESCE(sum(CASE WHEN f.accounting_date < ${from}::date THEN CASE f.direction WHEN 'CREDIT' THEN f.amount ELSE -f.amount END END), 0)::int8 AS opening,
				COALESCE(sum(f.amount) FILTER (WHERE f.accounting_date BETWEEN ${from}::date AND ${to}::date AND f.direction = 'CREDIT'), 0)::int8 AS credits,
				COALESCE(sum(f.amount) FILTER (WHERE f.accounting_date BETWEEN ${from}::date AND ${to}::date AND f.direction = 'DEBIT'), 0)::int8 AS debits,
				COALESCE(sum(CASE WHEN f.accounting_date <= ${to}::date THEN CASE f.direction WHEN 'CREDIT' THEN f.amount ELSE -f.amount END END), 0)::int8 AS closing
			FROM accounts a LEFT JOIN fund_flows f ON f.account_id = a.id
			WHERE a.merchant_id = ${merchantId} AND a.user_id IS NULL
			GROUP BY a.account_type`.execute(db);
		const byType = new Map(balances.rows.map((b) => [b.account_type, b]));
		const ACCOUNTS: [string, string][] = [['MCHCOUPON', '优惠券账户'], ['MCHFEE', '手续费账户'], ['MCHOWN', '自有资金账户'], ['MCHASSURE', '担保账户']];
		expect(range.reconciliation).toEqual(
			ACCOUNTS.map(([type, label]) => {
				const b = byType.get(type) ?? { opening: 0n, credits: 0n, debits: 0n, closing: 0n };
				return [label, formatYuan(b.opening), formatYuan(b.credits), formatYuan(b.debits), formatYuan(b.closing), '平'];
			})
		);
		expect(range.reconciliation.some((r) => r[2] !== '0.00')).toBe(true);

		// 导出记录 lists it as 对账单 with its days, downloadable under statements.download.
		const listed = await caller.exports.list({ page: 1, pageSize: 20 });
		expect(listed.rows.find((r) => r.id === id)).toMatchObject({ list: 'statementRange', period: `${from} ~ ${to}`, status: 'READY' });
		const grant = await authorizeFileDownload(db, (await adminOf(db, merchantId)), file.fileId);
		expect(grant).toMatchObject({ auditAction: 'statements.download', detail: { from, to, format: 'CSV' } });
		expect(grant?.file.name).toBe(`对账单_${merchantNo}_${from}_${to}.csv`);
	});

	it('as XLSX holds the same rows, 汇总 and 余额核对 as the CSV (read back with exceljs)', async () => {
		const [from, , to] = days;
		const caller = await admin();
		const csv = parts((await built((await caller.statements.range({ from, to, format: 'CSV' })).id)).bytes);
		const xlsx = await built((await caller.statements.range({ from, to, format: 'XLSX' })).id);
		const expected: ExpectedRow[] = [];
		for (const d of days) expected.push(...(await expectedStatement(db, merchantId, d)));
		const csvRowsOf = parseCsv(csv.rows.toString('utf8'));

		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
		const sheet = wb.getWorksheet('对账单')!;
		expect(sheet.rowCount).toBe(csvRowsOf.length + 1);
		csvRowsOf.forEach((csvRow, i) => {
			const r = sheet.getRow(i + 2);
			for (let c = 0; c < 26; c++) {
				const v = r.getCell(c + 1).value;
				if (c === 21 || c === 22) expect(formatYuan(BigInt(Math.round((v as number) * 100)))).toBe(csvRow[c]);
				else expect(v ?? '').toBe(expected[i].cells[c]); // the CSV's cell without its backtick on long ids
			}
		});
		const cells = (ws: ExcelJS.Worksheet) =>
			Array.from({ length: ws.rowCount - 1 }, (_, i) => {
				const r = ws.getRow(i + 2);
				return Array.from({ length: ws.columnCount }, (_, c) => {
					const v = r.getCell(c + 1).value;
					return typeof v === 'number' && r.getCell(c + 1).numFmt === '0.00' ? formatYuan(BigInt(Math.round(v * 100))) : String(v ?? '');
				});
			});
		expect(cells(wb.getWorksheet('汇总')!)).toEqual(csv.summary);
		expect(cells(wb.getWorksheet('余额核对')!)).toEqual(csv.reconciliation);
	});
});

describe('a failed range statement', () => {
	it('is retried from 导出记录 (重试) and then builds', async () => {
		const [from, , to] = days;
		const caller = await admin();
		const { id } = await caller.statements.range({ from, to, format: 'XLSX' });
		await db.updateTable('exports').set({ status: 'FAILED', error: 'disk full' }).where('id', '=', id).execute();
		expect((await caller.exports.list({ page: 1, pageSize: 20 })).rows.find((r) => r.id === id)).toMatchObject({ status: 'FAILED', error: 'exports.buildFailed' });
		await caller.exports.retry({ id });
		expect(await db.selectFrom('exports').select(['status', 'error']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'QUEUED', error: null });
		expect((await built(id)).rows).toBeGreaterThan(0);
	});
});

describe('the exports worker', () => {
	it('builds a requested range statement from its queue: QUEUED → READY at 100 %', async () => {
		const [from, , to] = days;
		const fresh = await someone({ merchant: merchantId, permissions: ['statements.download'] });
		const { id } = await fresh.caller.statements.range({ from, to, format: 'CSV' });
		expect(await fresh.caller.exports.get({ id })).toMatchObject({ status: 'QUEUED', rowsDone: 0n });
		const running = await startWorkers({ db, concurrency: 1, schedulers: false, catchUp: false, log: () => {} });
		try {
			await expect.poll(async () => (await fresh.caller.exports.get({ id })).status, { timeout: 20_000, interval: 200 }).toBe('READY');
		} finally {
			await running.close();
		}
		const done = await fresh.caller.exports.get({ id });
		expect(done.rowsDone).toBe(done.rowsTotal);
		const rows = parseCsv(parts(await readFileBytes(done.fileId!)).rows.toString('utf8'));
		const expected: ExpectedRow[] = [];
		for (const d of days) expected.push(...(await expectedStatement(db, merchantId, d)));
		expect(rows).toEqual(expected.map((r) => csvCells(r.cells)));
	});
});

describe('refused ranges change nothing', () => {
	const exportsOf = async (m: bigint) => (await db.selectFrom('exports').select('id').where('merchant_id', '=', m).execute()).length;
	const refusal = (p: Promise<unknown>) =>
		p.then(
			() => 'accepted',
			(e: { code?: string; message?: string }) => ({ code: e.code, message: e.message })
		);

	/** The refusal as the browser gets it (the error formatter's message, in the person's language). */
	async function answer(input: unknown, locale: Locale = 'zh-CN'): Promise<{ code: string; message: string } | 'accepted'> {
		const ctx = contextFor(db, await adminOf(db, merchantId), { locale });
		try {
			await createCaller(ctx).statements.range(input as never);
			return 'accepted';
		} catch (error) {
			if (!(error instanceof TRPCError)) throw error;
			const shape = getTRPCErrorShape({ config: appRouter._def._config, error, type: 'mutation', path: 'statements.range', input, ctx }) as { message: string };
			return { code: error.code, message: shape.message };
		}
	}

	it('32 days, an end before the start, an open or future day, a day before the window: clear zh/en messages', async () => {
		const w = statementWindow();
		const before = await exportsOf(merchantId);
		const bad = (message: string) => ({ code: 'BAD_REQUEST', message });
		const thirtyTwo = { from: addDays(w.last, -31), to: w.last, format: 'CSV' };
		expect(await answer(thirtyTwo)).toEqual(bad('日期范围最多 31 天'));
		expect(await answer(thirtyTwo, 'en')).toEqual(bad('A range covers at most 31 days'));
		const backwards = { from: w.last, to: addDays(w.last, -1), format: 'CSV' };
		expect(await answer(backwards)).toEqual(bad('结束日期不能早于开始日期'));
		expect(await answer(backwards, 'en')).toEqual(bad('The end date cannot be before the start date'));
		for (const to of [businessDate(), addDays(businessDate(), 5)]) {
			expect(await answer({ from: addDays(w.last, -2), to, format: 'CSV' })).toEqual(bad(`只能选择已结束的日期, 最晚为 ${w.last}`));
			expect(await answer({ from: addDays(w.last, -2), to, format: 'CSV' }, 'en')).toEqual(bad(`Only closed days can be chosen; the latest is ${w.last}`));
		}
		const early = { from: addDays(w.first, -1), to: addDays(w.first, 5), format: 'XLSX' };
		expect(await answer(early)).toEqual(bad(`开始日期不能早于 ${w.first} (对账单保留三个月)`));
		expect(await answer(early, 'en')).toEqual(bad(`The start date cannot be before ${w.first} (statements are kept for three months)`));
		for (const hostile of [{ from: '2026-02-30', to: w.last, format: 'CSV' }, { from: w.last, to: w.last, format: 'PDF' }, { from: `${w.last}' OR 1=1`, to: w.last, format: 'CSV' }])
			expect(await answer(hostile)).toMatchObject({ code: 'BAD_REQUEST' });
		expect(await exportsOf(merchantId)).toBe(before);
		// 31 days is a month: taken.
		expect(await answer({ from: addDays(w.last, -30), to: w.last, format: 'CSV' })).toBe('accepted');
		expect(await exportsOf(merchantId)).toBe(before + 1);
	});

	it('needs statements.download and a fresh step-up; the export limit holds', async () => {
		const w = statementWindow();
		const input = { from: addDays(w.last, -2), to: w.last, format: 'CSV' as const };
		const noPermission = await someone({ merchant: merchantId, permissions: ['payments.read'] });
		const before = await exportsOf(merchantId);
		expect(await refusal(noPermission.caller.statements.range(input))).toMatchObject({ code: 'FORBIDDEN' });
		const stale = await someone({ merchant: merchantId, permissions: ['statements.download'], stale: true });
		expect(await refusal(stale.caller.statements.range(input))).toEqual({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
		expect(await exportsOf(merchantId)).toBe(before);

		// Nobody can queue builds without end: after a few waiting ones the next is refused, and recorded nowhere.
		const fresh = await someone({ merchant: merchantId, permissions: ['statements.download'] });
		let taken = 0;
		let last: unknown = 'accepted';
		while (last === 'accepted' && taken < 10) if ((last = await refusal(fresh.caller.statements.range(input))) === 'accepted') taken++;
		expect(last).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
		expect(taken).toBeGreaterThan(0);
		expect(taken).toBeLessThan(10);
		expect(await exportsOf(merchantId)).toBe(before + taken);
	});

	it("another merchant gets none of this merchant's rows, file or export", async () => {
		const [from, , to] = days;
		const mine = await (await admin()).statements.range({ from, to, format: 'CSV' });
		const mineFile = await built(mine.id);
		expect(mineFile.rows).toBeGreaterThan(0);

		const other = await someone();
		const theirs = await other.caller.statements.range({ from, to, format: 'CSV' });
		const theirFile = await built(theirs.id);
		expect(theirFile.rows).toBe(0);
		const p = parts(theirFile.bytes);
		expect(p.rows.length).toBe(0);
		expect(p.summary.find((l) => l[0] === '收入合计')).toEqual(['收入合计', '', '0', '0.00']);
		// Nothing of the first merchant appears in the file.
		expect(theirFile.bytes.includes(Buffer.from(merchantNo))).toBe(false);

		expect(await authorizeFileDownload(db, other.auth, mineFile.fileId)).toBeUndefined();
		expect((await other.caller.exports.list({ page: 1, pageSize: 100 })).rows.map((r) => r.id)).toEqual([theirs.id]);
		expect(await refusal(other.caller.exports.get({ id: mine.id }))).toMatchObject({ code: 'NOT_FOUND' });
		// A colleague who is not the admin sees only their own exports, whatever they hold.
		const colleague = await signedInStaff(db, await makeStaff(db, merchantId, { isAdmin: false }), ['statements.download']);
		expect(await authorizeFileDownload(db, colleague, mineFile.fileId)).toBeUndefined();
	});
});
