// 导出所选 (issue 12, point 3): an export limited to the rows a person ticked holds exactly those
// rows (in the list's order), ids of another merchant's rows match nothing, an id outside the
// list's filter is not exported, and the list of ids is bounded and checked at the schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { seedDemo } from '#seed/demo.ts';
import { translate } from '#shared/i18n/messages.ts';
import { defaultFlowFilter } from '#shared/schemas/flows.ts';
import { defaultPaymentFilter } from '#shared/schemas/payments.ts';
import { createCaller } from '#shared/server/api/root.ts';
import { QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { adminOf, contextFor } from '../fixtures/context.ts';
import { csvId, parseCsv } from '../fixtures/csv.ts';
import { errorKey, refusal } from '../fixtures/outcome.ts';
import { exportAndBuild } from './helpers.ts';

const db = getDb();
const now = new Date();
type Caller = ReturnType<typeof createCaller>;
let mainId: bigint;
let otherId: bigint;
let caller: Caller;
let otherCaller: Caller;

beforeAll(async () => {
	const seeded = await seedDemo(db, { users: 6, days: 4, ordersPerDay: 20, secondUsers: 3, secondDays: 3, secondOrdersPerDay: 8, now });
	[mainId, otherId] = seeded.merchants.map((m) => m.id);
	caller = createCaller(contextFor(db, await adminOf(db, mainId), { ip: null }));
	otherCaller = createCaller(contextFor(db, await adminOf(db, otherId), { ip: null }));
}, 300_000);

afterAll(async () => {
	await getQueue(QUEUES.EXPORTS).obliterate({ force: true }).catch(() => {});
	await closeQueues();
});

/** The CSV's header and rows. */
function csv(bytes: Buffer) {
	const [header, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
	return { header, rows };
}

const paymentFilter = () => defaultPaymentFilter(now);

describe('导出所选', () => {
	it('exports exactly the chosen payments, in the list’s order, and says so in 导出记录 and the audit log', async () => {
		const page = await caller.payments.list({ filter: paymentFilter(), page: 1, pageSize: 20 });
		expect(page.rows.length).toBe(20);
		// Three rows from across the page, chosen out of order.
		const chosen = [page.rows[7], page.rows[0], page.rows[13]];
		const { id, row, bytes } = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: chosen.map((r) => r.id) });
		const { header, rows } = csv(bytes);
		const orderCol = header.indexOf(translate('zh-CN', 'payment.merchantOrderNo'));
		expect(orderCol).toBeGreaterThanOrEqual(0);
		expect(rows.map((r) => r[orderCol])).toEqual([page.rows[0], page.rows[7], page.rows[13]].map((r) => csvId(r.merchantOrderNo)));
		expect(row.rows_total).toBe(3n);
		expect(row.selected_ids).toEqual(chosen.map((r) => r.id));

		const listed = await caller.exports.list({ page: 1, pageSize: 20 });
		expect(listed.rows.find((r) => r.id === id)?.selected).toBe(3);
		const audit = await db.selectFrom('audit_log').select('detail').where('action', '=', 'exports.create').where('target_id', '=', String(id)).executeTakeFirstOrThrow();
		expect(audit.detail).toMatchObject({ list: 'payments', rows: '3', selected: 3 });
	});

	it('an export of the whole filter is not marked as chosen rows', async () => {
		const { id } = await caller.exports.create({ list: 'payments', format: 'CSV', filter: { ...paymentFilter(), status: 'TRADE_SUCCESS' }, columns: [] });
		const listed = await caller.exports.list({ page: 1, pageSize: 20 });
		expect(listed.rows.find((r) => r.id === id)?.selected).toBeNull();
		await db.deleteFrom('exports').where('id', '=', id).execute();
	});

	it('ids of another merchant’s payments export nothing; mixed with one’s own, only one’s own', async () => {
		const theirs = (await otherCaller.payments.list({ filter: paymentFilter(), page: 1, pageSize: 10 })).rows;
		const mine = (await caller.payments.list({ filter: paymentFilter(), page: 1, pageSize: 10 })).rows;
		expect(theirs.length).toBe(10);

		const foreign = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: theirs.map((r) => r.id) });
		expect(foreign.row.rows_total).toBe(0n);
		expect(csv(foreign.bytes).rows).toEqual([]);

		const mixed = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: [theirs[0].id, mine[2].id, theirs[1].id, mine[5].id] });
		const { header, rows } = csv(mixed.bytes);
		const orderCol = header.indexOf(translate('zh-CN', 'payment.merchantOrderNo'));
		expect(rows.map((r) => r[orderCol])).toEqual([mine[2], mine[5]].map((r) => csvId(r.merchantOrderNo)));
		for (const r of theirs) expect(mixed.bytes.toString('utf8')).not.toContain(r.merchantOrderNo);
	});

	it('a chosen id outside the list’s filter is not exported (the rows are the filter’s)', async () => {
		const paid = (await caller.payments.list({ filter: { ...paymentFilter(), status: 'TRADE_SUCCESS' }, page: 1, pageSize: 10 })).rows;
		const closed = await db.selectFrom('payments').select('id').where('merchant_id', '=', mainId).where('status', '<>', 'TRADE_SUCCESS').limit(1).executeTakeFirstOrThrow();
		const { bytes, row } = await exportAndBuild(caller, {
			list: 'payments',
			format: 'CSV',
			filter: { ...paymentFilter(), status: 'TRADE_SUCCESS' },
			columns: [],
			ids: [paid[1].id, closed.id]
		});
		expect(row.rows_total).toBe(1n);
		const { header, rows } = csv(bytes);
		expect(rows.map((r) => r[header.indexOf(translate('zh-CN', 'payment.merchantOrderNo'))])).toEqual([csvId(paid[1].merchantOrderNo)]);
	});

	it('works on 资金流水 too', async () => {
		const flows = (await caller.flows.list({ filter: defaultFlowFilter(now), page: 1, pageSize: 10 })).rows;
		expect(flows.length).toBe(10);
		const { bytes } = await exportAndBuild(caller, { list: 'flows', format: 'CSV', filter: defaultFlowFilter(now), columns: [], ids: [flows[4].id, flows[1].id] });
		const { header, rows } = csv(bytes);
		expect(rows.map((r) => r[header.indexOf(translate('zh-CN', 'flow.flowNo'))])).toEqual([flows[1], flows[4]].map((r) => csvId(r.flowNo)));
	});

	it('refuses more than 500 ids with a clear message, an empty choice, and ids that name no record', async () => {
		const many = Array.from({ length: 501 }, (_, i) => BigInt(i + 1));
		const before = await db.selectFrom('exports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
		const tooMany = caller.exports.create({ list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: many });
		expect(await refusal(tooMany)).toMatchObject({ code: 'BAD_REQUEST' });
		expect(await errorKey(caller.exports.create({ list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: many }))).toBe('exports.tooManySelected');
		expect(translate('zh-CN', 'exports.tooManySelected')).toBe('一次最多导出所选的 500 条, 请分批导出');
		expect(await errorKey(caller.exports.create({ list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: [] }))).toBe('exports.noneSelected');
		expect(await refusal(caller.exports.create({ list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: [] }))).toMatchObject({ code: 'BAD_REQUEST' });
		expect(await refusal(caller.exports.create({ list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: [0n] }))).toMatchObject({ code: 'BAD_REQUEST' });
		expect(await refusal(caller.exports.create({ list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids: [2n ** 63n] }))).toMatchObject({ code: 'BAD_REQUEST' });
		const after = await db.selectFrom('exports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
		expect(after.n).toBe(before.n);
	});

	it('500 ids (repeats counted once) are taken', async () => {
		const mine = (await caller.payments.list({ filter: paymentFilter(), page: 1, pageSize: 10 })).rows.slice(0, 3);
		const ids = [...mine.map((r) => r.id), ...Array.from({ length: 497 }, () => mine[0].id)];
		expect(ids.length).toBe(500);
		const { row } = await exportAndBuild(caller, { list: 'payments', format: 'CSV', filter: paymentFilter(), columns: [], ids });
		expect(row.selected_ids).toEqual(mine.map((r) => r.id));
		expect(row.rows_total).toBe(3n);
	});
});
