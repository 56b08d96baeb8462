// Issue 9, written as the attack: export and statement SQL runs under COPY, which takes no bind
// parameters. With `standard_conforming_strings` off — a database or role setting, or PGOPTIONS,
// that the product does not control — a backslash escapes the quote that quote doubling added,
// and the 商户支付单号 filter `\') OR TRUE ORDER BY 1) TO STDOUT WITH CSV --` used to export
// every merchant's payments. Here the database is switched off first (and checked on the
// connections the builds use), then that filter and other break-out attempts are exported
// through the product's own request and build path, and the files are read back.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, getDb, type Db } from '#db';
import { seedDemo } from '#seed/demo.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { upsertStatement } from '#shared/server/statements/records.ts';
import { QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { formatYuan } from '#shared/money.ts';
import { closeFilePool, getFilePool, readFileBytes } from '#shared/server/files/index.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { adminOf, callerFor, type Caller } from '../fixtures/context.ts';
import { csvRows } from '../fixtures/csv.ts';
import { makeStaff } from '../fixtures/merchant.ts';
import { exportAndBuild } from '../exports/helpers.ts';

type M = { id: bigint; merchantNo: string; name: string };

/** The filter: closes the literal, ORs everything in, ends the COPY, comments the rest out. */
const ATTACK = "\\') OR TRUE ORDER BY 1) TO STDOUT WITH CSV --";
/** Other ways out of a quoted or dollar-quoted literal, or into an E'' one. */
const BREAKOUTS = ["'", "\\'", '$$', "E'\\\\'", "';--", "\\') OR TRUE --"];
/** Stored as order numbers, role names, operator names and audit actions of both merchants. */
const STORED = [ATTACK, ...BREAKOUTS];
/** A break-out that matches nothing stored: it must export nothing. */
const UNMATCHED = "\\') OR merchant_id > 0 ORDER BY 1) TO STDOUT --";

const now = new Date();
const today = businessDate(now);
const range = { from: addDays(today, -6), to: today };
let db: Db;
let main: M;
let other: M;
let caller: Caller;
/** The main merchant's payment stored under each STORED order number. */
const ownPayment = new Map<string, { amount: bigint }>();
let otherOrderNos: string[];

const dataRows = (bytes: Buffer) => csvRows(bytes).slice(1);

beforeAll(async () => {
	db = getDb();
	const seeded = await seedDemo(db, { users: 4, days: 3, ordersPerDay: 12, secondUsers: 3, secondDays: 3, secondOrdersPerDay: 12, now });
	const m = await db.selectFrom('merchants').select(['id', 'merchant_no', 'name']).where('id', 'in', seeded.merchants.map((x) => x.id)).orderBy('id').execute();
	[main, other] = m.map((x) => ({ id: x.id, merchantNo: x.merchant_no, name: x.name }));

	// Both merchants hold payments, roles and operators named by every attempt.
	for (const merchant of [main, other]) {
		const payments = await db
			.selectFrom('payments')
			.select(['id', 'amount'])
			.where('merchant_id', '=', merchant.id)
			.where('created_at', '>=', new Date(now.getTime() - 3 * 86_400_000))
			.orderBy('id')
			.limit(STORED.length)
			.execute();
		expect(payments).toHaveLength(STORED.length);
		for (const [i, p] of payments.entries()) {
			await db.updateTable('payments').set({ merchant_order_no: STORED[i] }).where('id', '=', p.id).execute();
			if (merchant === main) ownPayment.set(STORED[i], { amount: p.amount });
		}
		for (const [i, name] of STORED.entries()) {
			await db.insertInto('roles').values({ merchant_id: merchant.id, name: name.slice(0, 30), permissions: ['payments.read'] }).execute();
			await makeStaff(db, merchant.id, { name, phone: `139${merchant === main ? 0 : 1}${String(i).padStart(7, '0')}` });
		}
	}
	otherOrderNos = (await db.selectFrom('payments').select('merchant_order_no').where('merchant_id', '=', other.id).execute()).map((r) => r.merchant_order_no);

	// The setting the attack needs, for every new connection to this database.
	const dbName = new URL(process.env.DATABASE_URL!).pathname.slice(1);
	await sql`ALTER DATABASE ${sql.id(dbName)} SET standard_conforming_strings = off`.execute(db);
	await closeDb();
	await closeFilePool();
	db = getDb();
	caller = callerFor(db, await adminOf(db, main.id));
}, 600_000);

afterAll(async () => {
	await getQueue(QUEUES.EXPORTS).obliterate({ force: true }).catch(() => {});
	await closeQueues();
});

describe('with standard_conforming_strings off', () => {
	it('is really off on the connections the request and the build use, and quote doubling really breaks out there', async () => {
		const web = await sql<{ standard_conforming_strings: string }>`SHOW standard_conforming_strings`.execute(db);
		expect(web.rows[0].standard_conforming_strings).toBe('off');
		const client = await getFilePool().connect();
		try {
			expect((await client.query('SHOW standard_conforming_strings')).rows[0].standard_conforming_strings).toBe('off');
			// What the export did before: the value inlined with its quotes doubled, under COPY.
			const doubled = `'${ATTACK.replace(/'/g, "''")}'`;
			const copy = client.query(copyTo(`COPY (SELECT merchant_id FROM payments WHERE (merchant_id = ${main.id}) AND (merchant_order_no = ${doubled})) TO STDOUT WITH (FORMAT csv)`));
			const out: Buffer[] = [];
			for await (const chunk of copy) out.push(chunk as Buffer);
			const merchants = new Set(Buffer.concat(out).toString().trim().split('\n'));
			expect(merchants).toContain(String(other.id));
		} finally {
			client.release();
		}
	});

	it('payments: each break-out filter exports exactly the one payment of this merchant stored under it, as CSV', async () => {
		for (const attempt of STORED) {
			const { row, bytes } = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: { ...range, merchantOrderNo: attempt }, columns: ['merchantOrderNo', 'amount'] });
			const rows = dataRows(bytes);
			expect(rows, attempt).toEqual([[attempt, formatYuan(ownPayment.get(attempt)!.amount)]]);
			expect(row.rows_total).toBe(1n);
		}
	});

	it('payments: a break-out filter that matches nothing exports no row at all', async () => {
		const { bytes } = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: { ...range, merchantOrderNo: UNMATCHED }, columns: [] });
		expect(dataRows(bytes)).toEqual([]);
		for (const no of otherOrderNos) expect(bytes.toString('utf8')).not.toContain(no);
	});

	it("payments: the issue's filter as XLSX gives the one payment, nothing of the other merchant", async () => {
		const { bytes } = await exportAndBuild(caller, { list: 'payments', format: 'XLSX', filter: { ...range, merchantOrderNo: ATTACK }, columns: ['merchantOrderNo', 'amount'] });
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(bytes as unknown as ArrayBuffer);
		const ws = wb.worksheets[0];
		expect(ws.rowCount).toBe(2);
		expect(ws.getRow(2).getCell(1).value).toBe(ATTACK);
	});

	it("roles and operators: every attempt finds only this merchant's entries; the audit log's 操作 filter refuses it", async () => {
		const own = {
			roles: (await db.selectFrom('roles').select(['id', 'name']).where('merchant_id', '=', main.id).execute()).map((r) => ({ id: String(r.id), name: r.name })),
			operators: (await db.selectFrom('staff').select('name').where('merchant_id', '=', main.id).where('is_admin', '=', false).execute()).map((r) => r.name)
		};
		const otherRoleIds = (await db.selectFrom('roles').select('id').where('merchant_id', '=', other.id).execute()).map((r) => String(r.id));
		expect(otherRoleIds.length).toBeGreaterThanOrEqual(STORED.length);
		const contains = (name: string, part: string) => name.toLowerCase().includes(part.toLowerCase());
		for (const attempt of [...STORED, UNMATCHED]) {
			const roleFilter = attempt.slice(0, 30);
			const roles = dataRows((await exportAndBuild(caller, { list: 'roles', format: 'CSV', filter: { name: roleFilter }, columns: ['id', 'name'] })).bytes);
			const expectedRoles = own.roles.filter((r) => contains(r.name, roleFilter));
			expect(roles.map((r) => r[0]).sort(), attempt).toEqual(expectedRoles.map((r) => r.id).sort());
			expect(roles.map((r) => r[1]).sort()).toEqual(expectedRoles.map((r) => r.name).sort());
			expect(roles.length > 0).toBe(attempt !== UNMATCHED);

			const operators = dataRows((await exportAndBuild(caller, { list: 'operators', format: 'CSV', filter: { name: attempt }, columns: ['name'] })).bytes);
			expect(operators.map((r) => r[0]).sort(), attempt).toEqual(own.operators.filter((n) => contains(n, attempt)).sort());

			// 操作 is a choice from the action registry (since 69d7a5b): the text never reaches the SQL.
			const audit = await exportAndBuild(caller, { list: 'audit', format: 'CSV', filter: { action: attempt }, columns: ['person', 'action'] }).then(
				() => 'exported',
				(e: Error) => e.message
			);
			expect(audit, attempt).toBe('exports.badFilter');
		}
	});

	it("a statement built under it holds only this merchant's rows, the stored text intact", async () => {
		const p = await db
			.selectFrom('payments')
			.select(['id', 'accounting_date'])
			.where('merchant_id', '=', main.id)
			.where('status', '=', 'TRADE_SUCCESS')
			.orderBy('id')
			.limit(1)
			.executeTakeFirstOrThrow();
		await db.updateTable('payments').set({ memo: ATTACK, order_info: "E'\\\\' $$ ';--" }).where('id', '=', p.id).execute();
		const s = await upsertStatement(db, main.id, p.accounting_date!);
		const built = await buildStatement(db, s.id);
		if (built.outcome !== 'built') throw new Error(`not built: ${built.outcome}`);
		const lines = csvRows(await readFileBytes(built.csvFileId));
		const rows = lines.slice(1, lines.findIndex((l) => l.length === 1 && l[0] === ''));
		const nos = async (table: 'payments' | 'refunds' | 'withdrawals', day?: string) =>
			(
				await db
					.selectFrom(table)
					.select('platform_txn_no')
					.where('merchant_id', '=', main.id)
					.$if(day !== undefined, (q) => q.where('accounting_date', '=', day!).where('status', '=', 'TRADE_SUCCESS'))
					.execute()
			).map((r) => r.platform_txn_no);
		const own = new Set([...(await nos('payments')), ...(await nos('refunds')), ...(await nos('withdrawals'))]);
		// ACCP交易单号 of every row: all this merchant's, and every payment of the day among them.
		const platformNos = rows.map((r) => r[1].replace(/^`/, ''));
		expect(platformNos.filter((n) => !own.has(n))).toEqual([]);
		expect(platformNos).toEqual(expect.arrayContaining(await nos('payments', p.accounting_date!)));
		// 平台商户号 is the merchant's own on every row (its 16 digits kept behind a backtick).
		expect(new Set(rows.map((r) => r[3]))).toEqual(new Set([`\`${main.merchantNo}`]));
		expect(rows.filter((r) => r[17] === ATTACK && r[16] === "E'\\\\' $$ ';--")).toHaveLength(1);
	});
});
