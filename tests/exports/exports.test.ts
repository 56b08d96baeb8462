// Exports of the payments/refunds lists against the list itself: the CSV's rows equal every
// page of the list, the XLSX parses back with numeric amounts, formula cells are neutralised,
// permissions and merchant scoping hold, and expired exports lose their files.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { seedDemo } from '#seed/demo.ts';
import { buildExport } from '#shared/server/exports/build.ts';
import { expireExports } from '#shared/server/exports/expiry.ts';
import { QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { startWorkers } from '../../jobs/worker.ts';
import { translate } from '#shared/i18n/messages.ts';
import { formatYuan } from '#shared/money.ts';
import { createCaller } from '#shared/server/api/root.ts';
import { authorizeFileDownload } from '#shared/server/downloads.ts';
import { listFlows } from '#shared/server/lists/flows.ts';
import { listPayments } from '#shared/server/lists/payments.ts';
import { listUsers } from '#shared/server/lists/users.ts';
import { defaultFlowFilter } from '#shared/schemas/flows.ts';
import { defaultUserFilter } from '#shared/schemas/users.ts';
import { addDays, businessDate, formatDateTime } from '#shared/time.ts';
import { adminOf, contextFor, signedInStaff } from '../fixtures/context.ts';
import { csvId, neutral, parseCsv } from '../fixtures/csv.ts';
import { exportAndBuild } from './helpers.ts';
import { makeStaff } from '../fixtures/merchant.ts';

const db = getDb();
const now = new Date();
const today = businessDate(now);
type M = { id: bigint; merchantNo: string; name: string };
let main: M;
let other: M;
let admin: ReturnType<typeof contextFor>;
let caller: ReturnType<typeof createCaller>;
let otherCaller: ReturnType<typeof createCaller>;
let otherCtx: ReturnType<typeof contextFor>;

beforeAll(async () => {
	const seeded = await seedDemo(db, { users: 20, days: 12, ordersPerDay: 30, secondUsers: 5, secondDays: 5, secondOrdersPerDay: 5, now });
	const [a, b] = seeded.merchants;
	const m = await db.selectFrom('merchants').select(['id', 'merchant_no', 'name']).where('id', 'in', [a.id, b.id]).orderBy('id').execute();
	main = { id: m[0].id, merchantNo: m[0].merchant_no, name: m[0].name };
	other = { id: m[1].id, merchantNo: m[1].merchant_no, name: m[1].name };
	admin = contextFor(db, await adminOf(db, main.id), { ip: null });
	caller = createCaller(admin);
	otherCtx = contextFor(db, await adminOf(db, other.id), { ip: null });
	otherCaller = createCaller(otherCtx);
	// Cells a spreadsheet would run as formulas.
	const some = await db.selectFrom('payments').select('id').where('merchant_id', '=', main.id).orderBy('id', 'desc').limit(4).execute();
	const memos = ['=HYPERLINK("http://x","y")', '+1', '-2,"q"', '@SUM(A1)'];
	for (const [i, p] of some.entries()) await db.updateTable('payments').set({ memo: memos[i] }).where('id', '=', p.id).execute();
	// Order numbers Excel/WPS would turn into numbers and mangle (12+ digits, a leading 0), and
	// one of 11 digits, which it shows whole.
	const paid = await db
		.selectFrom('payments')
		.select('id')
		.where('merchant_id', '=', main.id)
		.where('status', '=', 'TRADE_SUCCESS')
		.where('created_at', '>=', new Date(now.getTime() - 5 * 86_400_000))
		.orderBy('id')
		.limit(DIGIT_ORDER_NOS.length)
		.execute();
	for (const [i, p] of paid.entries()) await db.updateTable('payments').set({ merchant_order_no: DIGIT_ORDER_NOS[i] }).where('id', '=', p.id).execute();
}, 600_000);

const DIGIT_ORDER_NOS = ['6222021234567890123', '202612040001', '20261204000', '0012345'];

afterAll(async () => {
	await getQueue(QUEUES.EXPORTS).obliterate({ force: true }).catch(() => {});
	await closeQueues();
});

describe('payments export', () => {
	const filter = { from: addDays(today, -10), to: today, status: 'TRADE_SUCCESS' as const };

	it('CSV equals every page of the list, with BOM, header, 元 and labels', async () => {
		const { row, bytes } = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter, columns: [] });
		expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
		const [header, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
		expect(header).toEqual(['payment.merchantOrderNo', 'payment.txnType', 'payment.amount', 'payment.status', 'payment.createdAt', 'payment.memo'].map((k) => translate('zh-CN', k)));

		const expected: string[][] = [];
		for (let page = 1; ; page++) {
			const p = await listPayments(db, main.id, { filter: { merchantOrderNo: '', userNo: '', txnType: '', ...filter }, page, pageSize: 100 });
			for (const r of p.rows)
				expected.push([
					csvId(r.merchantOrderNo),
					translate('zh-CN', `enum.txnType.${r.txnType}`),
					formatYuan(r.amount),
					translate('zh-CN', `enum.paymentStatus.${r.status}`),
					formatDateTime(r.createdAt),
					neutral(r.memo ?? '')
				]);
			if (p.rows.length < 100) break;
		}
		expect(expected.length).toBeGreaterThan(50);
		expect(rows).toEqual(expected);
		// Long numeric order numbers carry the backtick that keeps them text in Excel/WPS.
		expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(['`6222021234567890123', '`202612040001', '20261204000', '`0012345']));
		expect(row.status).toBe('READY');
		expect(row.rows_total).toBe(BigInt(expected.length));
		expect(row.rows_done).toBe(BigInt(expected.length));
		expect(row.expires_at!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
	});

	it('neutralises formula cells', async () => {
		const { bytes } = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: { from: addDays(today, -10), to: today }, columns: ['merchantOrderNo', 'memo'] });
		const rows = parseCsv(bytes.toString('utf8').slice(1)).slice(1);
		expect(rows[0]).toHaveLength(2);
		const memos = rows.map((r) => r[1]);
		for (const m of ['\'=HYPERLINK("http://x","y")', "'+1", '\'-2,"q"', "'@SUM(A1)"]) expect(memos).toContain(m);
		expect(memos.filter((m) => /^[=+\-@]/.test(m))).toEqual([]);
	});

	it('XLSX parses back with numeric amounts in a 0.00 format', async () => {
		const { row, bytes } = await exportAndBuild(caller, { list: 'payments', format: 'XLSX', filter, columns: ['merchantOrderNo', 'amount'] });
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(bytes as unknown as ArrayBuffer);
		const ws = wb.worksheets[0];
		expect(ws.rowCount - 1).toBe(Number(row.rows_total));
		const csv = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter, columns: ['merchantOrderNo', 'amount'] });
		const csvRows = parseCsv(csv.bytes.toString('utf8').slice(1)).slice(1);
		// XLSX cells are text already: the order numbers as they are, no backtick.
		const xlsxOrderNos = Array.from({ length: csvRows.length }, (_, i) => ws.getRow(i + 2).getCell(1).value);
		expect(xlsxOrderNos).toEqual(expect.arrayContaining(DIGIT_ORDER_NOS));
		for (let i = 0; i < csvRows.length; i++) {
			const r = ws.getRow(i + 2);
			expect(r.getCell(1).value).toBe(csvRows[i][0].replace(/^`(?=\d+$)/, ''));
			expect(typeof r.getCell(2).value).toBe('number');
			expect((r.getCell(2).value as number).toFixed(2)).toBe(csvRows[i][1]);
			expect(r.getCell(2).numFmt).toBe('0.00');
		}
	});
});

describe('flows and users exports', () => {
	it('flows: the CSV equals every page of the list (default columns)', async () => {
		const filter = { ...defaultFlowFilter(), from: addDays(today, -6), to: today, direction: 'DEBIT' as const };
		const { bytes } = await exportAndBuild(caller, { list: 'flows', format: 'CSV', filter, columns: [] });
		const [header, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
		// 账户小类 is the account's name as the manual shows it; 待结算/可用 has its own column.
		expect(header).toEqual(['资金流水号', '账户小类', '结算状态', '交易时间', '交易类型', '出入账标识', '出入账金额(元)', '交易后余额(元)']);
		const expected: string[][] = [];
		for (let page = 1; ; page++) {
			const p = await listFlows(db, main.id, { filter, page, pageSize: 100 });
			for (const r of p.rows)
				expected.push([
					csvId(r.flowNo),
					translate('zh-CN', `enum.accountType.${r.accountType}`),
					translate('zh-CN', `enum.subType.${r.subType}`),
					formatDateTime(r.createdAt),
					translate('zh-CN', `enum.txnType.${r.txnType}`),
					translate('zh-CN', `enum.direction.${r.direction}`),
					formatYuan(r.amount),
					formatYuan(r.balanceAfter)
				]);
			if (p.rows.length < 100) break;
		}
		expect(expected.length).toBeGreaterThan(10);
		expect(rows).toEqual(expected);
	});

	it("资金明细 (accountFlows): the CSV equals every page of accounts.flows for one of the merchant's accounts, under accounts.read only", async () => {
		const filter = { ...defaultFlowFilter(), userNo: '' as const, accountType: 'MCHOWN' as const, from: addDays(today, -6), to: today };
		const staff = await makeStaff(db, main.id);
		const ctx = contextFor(db, await signedInStaff(db, staff, ['accounts.read']), { ip: null });
		const accountsOnly = createCaller(ctx);
		const { bytes } = await exportAndBuild(accountsOnly, { list: 'accountFlows', format: 'CSV', filter, columns: [] });
		const rows = parseCsv(bytes.toString('utf8').slice(1)).slice(1);
		const expected: string[][] = [];
		for (let page = 1; ; page++) {
			const p = await accountsOnly.accounts.flows({ filter, page, pageSize: 100 });
			for (const r of p.rows) expected.push([csvId(r.flowNo), formatDateTime(r.createdAt), formatYuan(r.amount)]);
			if (p.rows.length < 100) break;
		}
		expect(expected.length).toBeGreaterThan(10);
		expect(rows.map((r) => [r[0], r[3], r[6]])).toEqual(expected);
		expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['自有资金账户']));
		// Only the merchant's own 自有资金账户: no user's or other account's flow slips in.
		const owners = await db
			.selectFrom('fund_flows as f')
			.innerJoin('accounts as a', 'a.id', 'f.account_id')
			.select(['a.account_type', 'a.user_id'])
			.distinct()
			.where('f.flow_no', 'in', rows.map((r) => r[0]))
			.execute();
		expect(owners).toEqual([{ account_type: 'MCHOWN', user_id: null }]);
		// The same person may not export the fund-flow query (flows.read), nor the other way round.
		await expect(accountsOnly.exports.create({ list: 'flows', format: 'CSV', filter, columns: [] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
		const flowsCtx = contextFor(db, await signedInStaff(db, staff, ['flows.read']), { ip: null });
		await expect(createCaller(flowsCtx).exports.create({ list: 'accountFlows', format: 'CSV', filter, columns: [] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
	});

	it('users: masked exactly as the list masks them', async () => {
		const filter = defaultUserFilter();
		const { bytes } = await exportAndBuild(caller, { list: 'users', format: 'CSV', filter, columns: [] });
		const rows = parseCsv(bytes.toString('utf8').slice(1)).slice(1);
		const p = await listUsers(db, main.id, { filter, page: 1, pageSize: 100 });
		expect(p.rows.length).toBeGreaterThan(5);
		expect(rows).toEqual(
			p.rows.map((r) => [
				csvId(r.userNo),
				r.name,
				r.phone,
				translate('zh-CN', `enum.userType.${r.userType}`),
				translate('zh-CN', `enum.userStatus.${r.status}`),
				translate('zh-CN', `enum.idType.${r.idType}`),
				r.idNo,
				businessDate(r.registeredAt)
			])
		);
		expect(rows.every((r) => r[2].includes('*'))).toBe(true);
		// The seeded user numbers are 12 digits: every one keeps its digits behind a backtick.
		expect(rows.every((r) => /^`\d{12}$/.test(r[0]))).toBe(true);
	});
});

describe('permissions and scope', () => {
	it('an operator without payments.read is refused', async () => {
		const staff = await makeStaff(db, main.id);
		const ctx = contextFor(db, await signedInStaff(db, staff, ['refunds.read']), { ip: null });
		const c = createCaller(ctx);
		await expect(c.exports.create({ list: 'payments', format: 'CSV', filter: {}, columns: [] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
		const ok = await c.exports.create({ list: 'refunds', format: 'CSV', filter: {}, columns: [] });
		expect(ok.id).toBeTypeOf('bigint');
	});

	it('refuses a fourth export while three of the same person wait, with the reason; others are not held up', async () => {
		const staff = await makeStaff(db, main.id);
		const ctx = contextFor(db, await signedInStaff(db, staff, ['payments.read']), { ip: null });
		const c = createCaller(ctx);
		const ids: bigint[] = [];
		for (let i = 0; i < 3; i++) ids.push((await c.exports.create({ list: 'payments', format: 'CSV', filter: {}, columns: [] })).id);
		const before = await db.selectFrom('exports').select('id').where('staff_id', '=', staff.id).execute();
		const refused = c.exports.create({ list: 'payments', format: 'CSV', filter: {}, columns: [] });
		await expect(refused).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', message: 'exports.tooMany' });
		expect(await db.selectFrom('exports').select('id').where('staff_id', '=', staff.id).execute()).toEqual(before);
		// Someone else of the merchant may still export.
		const other = await makeStaff(db, main.id);
		const otherCtx = contextFor(db, await signedInStaff(db, other, ['payments.read']), { ip: null });
		expect((await createCaller(otherCtx).exports.create({ list: 'payments', format: 'CSV', filter: {}, columns: [] })).id).toBeTypeOf('bigint');
		// Once one of the three is built, there is room again.
		expect((await buildExport(db, ids[0], { owner: 'test', finalAttempt: true })).outcome).toBe('built');
		expect((await c.exports.create({ list: 'payments', format: 'CSV', filter: {}, columns: [] })).id).toBeTypeOf('bigint');
	});

	it("another merchant's export is not found, nor its file", async () => {
		const { id, row } = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: {}, columns: [] });
		await expect(otherCaller.exports.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(otherCaller.exports.retry({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
		expect(await authorizeFileDownload(db, otherCtx.auth!, row.file_id!)).toBeUndefined();
		expect((await otherCaller.exports.list({})).rows.map((r) => r.id)).not.toContain(id);
		const mine = await caller.exports.get({ id });
		expect(mine.status).toBe('READY');
		expect(await authorizeFileDownload(db, admin.auth!, row.file_id!)).toMatchObject({ auditAction: 'exports.download' });
	});

	it('a bad filter is refused', async () => {
		await expect(caller.exports.create({ list: 'payments', format: 'CSV', filter: { status: 'NOPE' }, columns: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		await expect(caller.exports.create({ list: 'nope', format: 'CSV', filter: {}, columns: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
	});
});

describe('through the worker', () => {
	it('a requested export is built by the worker: QUEUED → READY with progress at 100 %', async () => {
		const running = await startWorkers({ db, concurrency: 1, schedulers: false, log: () => {} });
		try {
			const { id } = await caller.exports.create({ list: 'withdrawals', format: 'XLSX', filter: {}, columns: [] });
			let state = await caller.exports.get({ id });
			for (let i = 0; i < 150 && state.status !== 'READY' && state.status !== 'FAILED'; i++) {
				await new Promise((r) => setTimeout(r, 100));
				state = await caller.exports.get({ id });
			}
			expect(state.status).toBe('READY');
			expect(state.rowsDone).toBe(state.rowsTotal);
			const listed = (await caller.exports.list({})).rows.find((r) => r.id === id)!;
			expect(listed.size).toBeGreaterThan(0n);
			expect(listed.fileId).toBe(state.fileId);
		} finally {
			await running.close();
		}
	});
});

describe('failure and retry', () => {
	it('a build that fails on its last attempt is FAILED with the reason, and 重试 queues it again', async () => {
		const { id } = await caller.exports.create({ list: 'payments', format: 'CSV', filter: {}, columns: [] });
		// A filter the list no longer accepts makes the build fail.
		await db.updateTable('exports').set({ filter: JSON.stringify({ status: 'NOPE' }) }).where('id', '=', id).execute();
		await expect(buildExport(db, id, { owner: 'test', finalAttempt: true })).rejects.toThrow();
		const failed = await caller.exports.get({ id });
		expect(failed.status).toBe('FAILED');
		expect(failed.error).toBeTruthy();
		expect(await db.selectFrom('files').select('id').where('merchant_id', '=', main.id).where('complete', '=', false).execute()).toEqual([]);
		await db.updateTable('exports').set({ filter: JSON.stringify({}) }).where('id', '=', id).execute();
		await caller.exports.retry({ id });
		expect((await caller.exports.get({ id })).status).toBe('QUEUED');
		expect((await buildExport(db, id, { owner: 'test', finalAttempt: true })).outcome).toBe('built');
		await expect(caller.exports.retry({ id })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
	});

	it('a second worker leaves a leased export alone; an expired lease is taken over', async () => {
		const { id } = await caller.exports.create({ list: 'refunds', format: 'CSV', filter: {}, columns: [] });
		await db.updateTable('exports').set({ status: 'RUNNING', lease_owner: 'dead', lease_until: new Date(Date.now() + 60_000) }).where('id', '=', id).execute();
		expect((await buildExport(db, id, { owner: 'b' })).outcome).toBe('leased');
		await db.updateTable('exports').set({ lease_until: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
		expect((await buildExport(db, id, { owner: 'b' })).outcome).toBe('built');
		expect((await buildExport(db, id, { owner: 'c' })).outcome).toBe('skipped');
	});
});

describe('expiry', () => {
	it('deletes the files of expired exports and marks them EXPIRED', async () => {
		const { id, row } = await exportAndBuild(caller, { list: 'refunds', format: 'CSV', filter: {}, columns: [] });
		const fresh = await exportAndBuild(caller, { list: 'refunds', format: 'CSV', filter: {}, columns: [] });
		await db.updateTable('exports').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
		expect(await expireExports(db)).toBe(1);
		const after = await db.selectFrom('exports').select(['status', 'file_id']).where('id', '=', id).executeTakeFirstOrThrow();
		expect(after).toEqual({ status: 'EXPIRED', file_id: null });
		expect(await db.selectFrom('files').select('id').where('id', '=', row.file_id!).executeTakeFirst()).toBeUndefined();
		expect((await db.selectFrom('exports').select('status').where('id', '=', fresh.id).executeTakeFirstOrThrow()).status).toBe('READY');
	});
});
