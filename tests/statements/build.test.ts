import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../db/index.ts';
import { buildStatement } from '../../src/lib/server/statements/build.ts';
import { fanOutStatements } from '../../src/lib/server/statements/fan-out.ts';
import { upsertStatement } from '../../src/lib/server/statements/records.ts';
import { formatYuan } from '../../src/lib/money.ts';
import { closeFilePool, getFilePool, readFileBytes } from '../../src/lib/server/files/index.ts';
import { csvCells, expectedDirections, expectedStatement, parseCsv, paymentsOfDay, seedSmallDemo } from './helpers.ts';

// The manual's statement columns (SPEC §6), in its order: written out here, not taken from the
// implementation, so a changed or reordered column fails.
const STATEMENT_HEADERS = [
	'商户订单号', 'ACCP交易单号', 'ACCP交易流水号', '平台商户号',
	'商户订单时间', '订单创建时间', '订单完成时间', 'ACCP账务日期', '付款方类型', '付款方ID',
	'付款方账户类型', '收款方类型', '收款方ID', '收款方账户类型', '收款方银行账户', '收款方名称',
	'订单信息', '收款备注', '支付产品', '支付方式', '交易类型', '订单金额', '手续费', '交易状态',
	'渠道流水号', '渠道账期'
];
/** The 汇总 by direction: item (收入, 退款, 提现/代发, 手续费, 净额), 交易类型, count, amount. */
const SUMMARY_HEADERS = ['项目', '交易类型', '笔数', '金额'];
/** The balance reconciliation per merchant account. */
const RECONCILIATION_HEADERS = ['账户', '期初余额', '入账', '出账', '期末余额', '核对'];

const db = getDb();
let merchantId: bigint;
let merchantNo: string;
let date: string;

beforeAll(async () => {
	({ merchantId, merchantNo, date } = await seedSmallDemo(db));
	// Cells a spreadsheet would run as formulas, and text that needs CSV quoting.
	const [first, second] = await paymentsOfDay(db, merchantId, date, 2);
	await db.updateTable('payments').set({ order_info: '=HYPERLINK("http://x")', memo: '+1' }).where('id', '=', first.id).execute();
	await db.updateTable('payments').set({ order_info: 'a, "b"\nc', memo: '@cmd' }).where('id', '=', second.id).execute();
}, 180_000);

afterAll(closeFilePool);

async function freshBuild(day = date) {
	const s = await upsertStatement(db, merchantId, day);
	await db.updateTable('statements').set({ status: 'PENDING' }).where('id', '=', s.id).execute();
	const r = await buildStatement(db, s.id);
	if (r.outcome !== 'built') throw new Error(`not built: ${r.outcome}`);
	return { statementId: s.id, ...r };
}

function decodeCsv(bytes: Buffer) {
	expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	const lines = parseCsv(bytes.subarray(3).toString('utf8'));
	const blank = lines.findIndex((l) => l.length === 1 && l[0] === '');
	const second = lines.findIndex((l, i) => i > blank && l.length === 1 && l[0] === '');
	return { header: lines[0], rows: lines.slice(1, blank), summary: lines.slice(blank + 1, second), reconciliation: lines.slice(second + 1) };
}

describe('statement content', () => {
	it('equals an independent computation: every column of every row, refunds as their own rows, the summary', async () => {
		const built = await freshBuild();
		const { header, rows, summary } = decodeCsv(await readFileBytes(built.csvFileId));
		const expected = await expectedStatement(db, merchantId, date);

		expect(STATEMENT_HEADERS).toHaveLength(26);
		expect(header).toEqual(STATEMENT_HEADERS);
		expect(expected.length).toBeGreaterThan(10);
		expect(expected.some((r) => r.status === '已退款')).toBe(true);
		expect(rows).toEqual(expected.map((r) => csvCells(r.cells)));
		expect(built.rows).toBe(expected.length);
		// formula neutralising and quoting survived the trip
		expect(rows.flat()).toContain(`'=HYPERLINK("http://x")`);
		expect(rows.flat()).toContain(`'+1`);
		expect(rows.flat()).toContain('a, "b"\nc');
		// Cells people can use: party types, account types and 支付方式 as the lists label them (no raw
		// codes such as USER, MCHOWN, WECHAT_APP), and bank cards masked to the 6-digit prefix and the last four.
		for (const col of [8, 10, 11, 13, 19]) expect(rows.filter((r) => /^[A-Z][A-Z_]+$/.test(r[col])).map((r) => r[col])).toEqual([]);
		expect(new Set(rows.flatMap((r) => [r[8], r[11]]))).toEqual(new Set(['用户', '商户', '支付渠道', '银行卡']));
		const cards = rows.filter((r) => r[11] === '银行卡').map((r) => r[14]);
		expect(cards.length).toBeGreaterThan(0);
		for (const c of cards) expect(c).toMatch(/^\d{6}\*+\d{4}$/);
		expect(rows.some((r) => r[10] === '用户账户') && rows.some((r) => r[13] === '自有资金账户')).toBe(true);
		expect(rows.some((r) => /^(微信|支付宝|余额)/.test(r[19]))).toBe(true);
		// Long numeric ids keep every digit in Excel/WPS: the 16-digit 平台商户号 and ACCP交易单号.
		expect(rows.every((r) => r[3] === `\`${merchantNo}` && /^`\d{16}$/.test(r[1]))).toBe(true);

		expect(summary[0]).toEqual(['汇总']);
		expect(summary[1]).toEqual(SUMMARY_HEADERS);
		expect(summary.slice(2)).toEqual(expectedDirections(expected));
		// Each direction is present on this day, and 净额 = 收入 − 退款 − 提现/代发 − 手续费.
		expect(summary.some((l) => l[0] === '退款' && l[2] !== '0')).toBe(true);
		expect(summary.some((l) => l[0] === '提现/代发')).toBe(true);

		const row = await db.selectFrom('statements').selectAll().where('id', '=', built.statementId).executeTakeFirstOrThrow();
		expect(row).toMatchObject({ status: 'READY', row_count: BigInt(expected.length), rows_done: BigInt(expected.length), error: null, lease_owner: null });
		const files = await db.selectFrom('files').select(['id', 'name', 'complete', 'content_type']).where('id', 'in', [built.csvFileId, built.xlsxFileId]).orderBy('id').execute();
		expect(files.map((f) => [f.name, f.complete])).toEqual([
			[`对账单_${merchantNo}_${date}.csv`, true],
			[`对账单_${merchantNo}_${date}.xlsx`, true]
		]);
	});

	it("has totals equal to the ledger's flows of that date", async () => {
		const built = await freshBuild();
		const { rows } = decodeCsv(await readFileBytes(built.csvFileId));
		const fen = (s: string) => BigInt(s.replace('.', ''));
		const sum = (pred: (r: string[]) => boolean, col: number) => rows.filter(pred).reduce((t, r) => t + fen(r[col]), 0n);
		const isRefund = (r: string[]) => r[23] === '已退款';
		const isWithdrawal = (r: string[]) => r[11] === '银行卡';
		const isPayment = (r: string[]) => !isRefund(r) && !isWithdrawal(r);

		const ledger = await sql<{ kind: string; fee: boolean; debits: bigint }>`
			SELECT order_kind AS kind, txn_type = 'SERVICE_FEE' AS fee, sum(amount)::int8 AS debits
			FROM fund_flows
			WHERE merchant_id = ${merchantId} AND accounting_date = ${date} AND direction = 'DEBIT'
			  AND account_type <> 'CLEARING' AND order_kind IN ('PAYMENT', 'REFUND', 'WITHDRAWAL')
			GROUP BY 1, 2`.execute(db);
		const get = (kind: string, fee: boolean) => ledger.rows.find((r) => r.kind === kind && r.fee === fee)?.debits ?? 0n;
		// Payments: the money moved (a channel pays in through CLEARING) and the fee taken.
		const clearingIn = await sql<{ s: bigint }>`
			SELECT coalesce(sum(amount), 0)::int8 AS s FROM fund_flows
			WHERE merchant_id = ${merchantId} AND accounting_date = ${date} AND order_kind = 'PAYMENT'
			  AND direction = 'DEBIT' AND account_type = 'CLEARING' AND txn_type <> 'SERVICE_FEE'`.execute(db);
		expect(sum(isPayment, 21)).toBe(get('PAYMENT', false) + clearingIn.rows[0].s);
		expect(sum(isPayment, 22)).toBe(get('PAYMENT', true));
		expect(sum(isRefund, 21)).toBe(get('REFUND', false));
		// A withdrawal takes amount + fee from the payer's account on the day it is booked.
		expect(sum(isWithdrawal, 21) + sum(isWithdrawal, 22)).toBe(get('WITHDRAWAL', false) + get('WITHDRAWAL', true));
	});

	it('gives the same bytes when a day is rebuilt', async () => {
		const a = await freshBuild();
		const csvA = await readFileBytes(a.csvFileId);
		const xlsxA = await readFileBytes(a.xlsxFileId);
		await new Promise((r) => setTimeout(r, 1100)); // a different wall-clock second
		const b = await freshBuild();
		expect(b.csvFileId).not.toBe(a.csvFileId);
		expect((await readFileBytes(b.csvFileId)).equals(csvA)).toBe(true);
		expect((await readFileBytes(b.xlsxFileId)).equals(xlsxA)).toBe(true);
	});

	it('gives the same bytes when the file pool has only one connection free (both files come from one COPY)', async () => {
		const a = await freshBuild();
		const pool = getFilePool();
		// Every file connection but one taken: the build needs no more than that one.
		const held = await Promise.all(Array.from({ length: (pool.options.max ?? 4) - 1 }, () => pool.connect()));
		try {
			const b = await freshBuild();
			expect((await readFileBytes(b.csvFileId)).equals(await readFileBytes(a.csvFileId))).toBe(true);
			expect((await readFileBytes(b.xlsxFileId)).equals(await readFileBytes(a.xlsxFileId))).toBe(true);
		} finally {
			for (const c of held) c.release();
		}
	});

	it('writes an XLSX that parses back with numeric 0.00 amounts and a 汇总 sheet', async () => {
		const built = await freshBuild();
		const { rows } = decodeCsv(await readFileBytes(built.csvFileId));
		const expected = await expectedStatement(db, merchantId, date);
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load((await readFileBytes(built.xlsxFileId)) as unknown as ArrayBuffer);
		const sheet = wb.getWorksheet('对账单')!;
		expect(sheet.getRow(1).values).toEqual([undefined, ...STATEMENT_HEADERS]);
		expect(sheet.rowCount).toBe(rows.length + 1);
		rows.forEach((csvRow, i) => {
			const r = sheet.getRow(i + 2);
			for (let c = 0; c < 26; c++) {
				const v = r.getCell(c + 1).value;
				if (c === 21 || c === 22) {
					expect(typeof v).toBe('number');
					expect(formatYuan(BigInt(Math.round((v as number) * 100)))).toBe(csvRow[c]);
					expect(r.getCell(c + 1).numFmt).toBe('0.00');
				} else expect(v ?? '').toBe(expected[i].cells[c]); // text cells: ids without the CSV's backtick
			}
		});
		const summary = wb.getWorksheet('汇总')!;
		expect(summary.getRow(1).values).toEqual([undefined, ...SUMMARY_HEADERS]);
		const cells = (ws: ExcelJS.Worksheet) =>
			Array.from({ length: ws.rowCount - 1 }, (_, i) => {
				const r = ws.getRow(i + 2);
				return Array.from({ length: ws.columnCount }, (_, c) => {
					const v = r.getCell(c + 1).value;
					return typeof v === 'number' && r.getCell(c + 1).numFmt === '0.00' ? formatYuan(BigInt(Math.round(v * 100))) : String(v ?? '');
				});
			});
		const csv = decodeCsv(await readFileBytes(built.csvFileId));
		expect(cells(summary)).toEqual(csv.summary.slice(2));
		const reconciliation = wb.getWorksheet('余额核对')!;
		expect(reconciliation.getRow(1).values).toEqual([undefined, ...RECONCILIATION_HEADERS]);
		expect(cells(reconciliation)).toEqual(csv.reconciliation.slice(2));
	});

	it('builds an empty day as a header and a zero summary', async () => {
		const built = await freshBuild('2020-01-01');
		const { rows, summary, reconciliation } = decodeCsv(await readFileBytes(built.csvFileId));
		expect(rows).toEqual([]);
		expect(summary.slice(1)).toEqual([SUMMARY_HEADERS, ['收入合计', '', '0', '0.00'], ['退款', '退款', '0', '0.00'], ['手续费', '', '', '0.00'], ['净额', '', '', '0.00']]);
		expect(reconciliation).toEqual([
			['余额核对'],
			RECONCILIATION_HEADERS,
			...['优惠券账户', '手续费账户', '自有资金账户', '担保账户'].map((a) => [a, '0.00', '0.00', '0.00', '0.00', '平'])
		]);
	});
});

describe('statement jobs', () => {
	it('lets only one of two concurrent builds run (the row lease decides)', async () => {
		const s = await upsertStatement(db, merchantId, date);
		await db.updateTable('statements').set({ status: 'PENDING' }).where('id', '=', s.id).execute();
		const filesBefore = await db.selectFrom('files').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
		const [a, b] = await Promise.all([buildStatement(db, s.id, { owner: 'w1' }), buildStatement(db, s.id, { owner: 'w2' })]);
		const outcomes = [a.outcome, b.outcome].sort();
		expect(outcomes[0]).toBe('built');
		expect(['leased', 'skipped']).toContain(outcomes[1]);
		const filesAfter = await db.selectFrom('files').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
		expect(Number(filesAfter.n) - Number(filesBefore.n)).toBe(2);
		// READY now: another build is skipped
		expect((await buildStatement(db, s.id, { owner: 'w3' })).outcome).toBe('skipped');
	});

	it('takes over a build whose lease ran out (a killed worker)', async () => {
		const s = await upsertStatement(db, merchantId, date);
		await db
			.updateTable('statements')
			.set({ status: 'BUILDING', lease_owner: 'dead', lease_until: new Date(Date.now() + 60_000) })
			.where('id', '=', s.id)
			.execute();
		expect((await buildStatement(db, s.id, { owner: 'w' })).outcome).toBe('leased');
		await db.updateTable('statements').set({ lease_until: new Date(Date.now() - 1000) }).where('id', '=', s.id).execute();
		expect((await buildStatement(db, s.id, { owner: 'w' })).outcome).toBe('built');
	});

	it('records an error for a retry, and FAILED with the reason after the last attempt, leaving no files', async () => {
		const s = await upsertStatement(db, merchantId, '2020-01-02');
		const filesBefore = await db.selectFrom('files').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
		await sql`ALTER TABLE withdrawals RENAME COLUMN memo TO memo_hidden`.execute(db);
		try {
			await expect(buildStatement(db, s.id)).rejects.toThrow(/memo/);
			let row = await db.selectFrom('statements').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
			expect(row.status).toBe('PENDING');
			expect(row.error).toMatch(/memo/);
			await expect(buildStatement(db, s.id, { finalAttempt: true })).rejects.toThrow();
			row = await db.selectFrom('statements').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
			expect(row.status).toBe('FAILED');
			expect(row.attempts).toBe(2);
			expect(row.lease_owner).toBeNull();
		} finally {
			await sql`ALTER TABLE withdrawals RENAME COLUMN memo_hidden TO memo`.execute(db);
		}
		const filesAfter = await db.selectFrom('files').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
		expect(filesAfter.n).toBe(filesBefore.n);
		// and a FAILED day builds on the next request
		expect((await buildStatement(db, s.id)).outcome).toBe('built');
	});

	it('fans out one PENDING statement per active merchant for yesterday, idempotently', async () => {
		const calls: string[] = [];
		const now = new Date('2026-03-02T02:00:00Z'); // 10:00 on 03-02 in Shanghai
		const record = async (id: bigint, m: bigint, d: string) => void calls.push(`${id}/${m}/${d}`);
		const r1 = await fanOutStatements(db, now, record);
		expect(r1.accountingDate).toBe('2026-03-01');
		const rows = await db.selectFrom('statements').selectAll().where('accounting_date', '=', '2026-03-01').execute();
		const active = await db.selectFrom('merchants').select('id').where('status', '=', 'ACTIVE').execute();
		expect(rows.map((r) => r.merchant_id).sort()).toEqual(active.map((a) => a.id).sort());
		expect(rows.every((r) => r.status === 'PENDING')).toBe(true);
		expect(calls).toHaveLength(active.length);
		await fanOutStatements(db, now, record);
		expect(await db.selectFrom('statements').select('id').where('accounting_date', '=', '2026-03-01').execute()).toHaveLength(rows.length);
	});
});
