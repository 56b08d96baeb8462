import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { QUEUES, statementJobId } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { upsertStatement } from '#shared/server/statements/records.ts';
import { startWorkers } from '../../jobs/worker.ts';
import { addMonths, statementWindow } from '#shared/schemas/statements.ts';
import { createCaller } from '#shared/server/api/root.ts';
import { authorizeFileDownload } from '#shared/server/downloads.ts';
import { closeFilePool } from '#shared/server/files/index.ts';
import type { Permission } from '#shared/permissions.ts';
import { addDays } from '#shared/time.ts';
import { contextFor, signedInStaff } from '../fixtures/context.ts';
import { makeMerchant, makeStaff } from '../fixtures/merchant.ts';
import { dropTestJobs } from '../fixtures/queues.ts';

const db = getDb();

afterAll(async () => {
	await closeQueues();
	await closeFilePool();
	await dropTestJobs();
});

/** A new merchant's admin (holding every permission), or an operator holding just `permissions`. */
async function signedIn(permissions?: Permission[]) {
	const merchant = await makeMerchant(db, { name: '测试商户' });
	const staff = await makeStaff(db, merchant.id, { isAdmin: permissions === undefined });
	const ctx = contextFor(db, await signedInStaff(db, staff, permissions), { ip: null });
	return { merchant, staff, ctx, caller: createCaller(ctx) };
}

describe('statements.month', () => {
	it('shows each day of the month with its state, and the window', async () => {
		const { merchant, caller } = await signedIn();
		const w = statementWindow();
		expect(w.first).toBe(addMonths(w.last, -3));
		const ready = w.last;
		const failed = addDays(w.last, -1);
		const r = await upsertStatement(db, merchant.id, ready);
		const f = await upsertStatement(db, merchant.id, failed);
		await db.updateTable('statements').set({ status: 'FAILED', error: 'disk full' }).where('id', '=', f.id).execute();
		await db.updateTable('statements').set({ status: 'BUILDING', rows_done: 5n, row_count: 10n, lease_until: new Date(Date.now() + 30_000) }).where('id', '=', r.id).execute();

		const month = await caller.statements.month({ month: ready.slice(0, 7) });
		const byDate = new Map(month.days.map((d) => [d.date, d]));
		expect(byDate.get(ready)).toMatchObject({ state: 'BUILDING', rowsDone: 5, rowCount: 10 });
		const failedMonth = await caller.statements.month({ month: failed.slice(0, 7) });
		expect(failedMonth.days.find((d) => d.date === failed)).toMatchObject({ state: 'FAILED', error: 'statements.buildFailed' });
		expect(byDate.get(w.today)?.state ?? 'NOT_DUE').toBe('NOT_DUE');

		const old = await caller.statements.month({ month: addMonths(w.first, -1).slice(0, 7) });
		expect(old.days.every((d) => d.state === 'OUT_OF_RANGE')).toBe(true);
	});

	it("never shows another merchant's statements and needs statements.download", async () => {
		const a = await signedIn();
		const b = await signedIn();
		const day = statementWindow().last;
		await upsertStatement(db, a.merchant.id, day);
		const seen = await b.caller.statements.month({ month: day.slice(0, 7) });
		expect(seen.days.find((d) => d.date === day)?.state).toBe('MISSING');

		const none = await signedIn(['payments.read']);
		await expect(none.caller.statements.month({ month: day.slice(0, 7) })).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(none.caller.statements.request({ date: day })).rejects.toMatchObject({ code: 'FORBIDDEN' });
	});
});

describe('a build whose worker died', () => {
	it('shows as failed once its lease ran out, and asking again enqueues it; a live build is left alone', async () => {
		const { merchant, caller } = await signedIn();
		const day = addDays(statementWindow().last, -4);
		const s = await upsertStatement(db, merchant.id, day);
		const stateOf = async () => (await caller.statements.month({ month: day.slice(0, 7) })).days.find((d) => d.date === day)?.state;
		const requests = async () =>
			(await db.selectFrom('audit_log').select('id').where('merchant_id', '=', merchant.id).where('action', '=', 'statements.request').execute()).length;
		const job = () => getQueue(QUEUES.STATEMENTS).getJob(statementJobId(merchant.id, day));

		await db.updateTable('statements').set({ status: 'BUILDING', lease_owner: 'alive', lease_until: new Date(Date.now() + 30_000) }).where('id', '=', s.id).execute();
		expect(await stateOf()).toBe('BUILDING');
		expect(await caller.statements.request({ date: day })).toEqual({ status: 'BUILDING' });
		expect(await requests()).toBe(0);
		expect(await job()).toBeUndefined();

		await db.updateTable('statements').set({ lease_owner: 'dead', lease_until: new Date(Date.now() - 1_000) }).where('id', '=', s.id).execute();
		expect(await stateOf()).toBe('FAILED');
		expect(await caller.statements.request({ date: day })).toEqual({ status: 'BUILDING' });
		expect(await requests()).toBe(1);
		const enqueued = await job();
		expect(enqueued?.data).toEqual({ statementId: s.id.toString() });
		await enqueued!.remove(); // the queue is shared by this file's tests
	});
});

describe('statements.request', () => {
	it('refuses days outside yesterday..three months back', async () => {
		const { caller } = await signedIn();
		const w = statementWindow();
		await expect(caller.statements.request({ date: w.today })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'statements.outOfRange' });
		await expect(caller.statements.request({ date: addDays(w.first, -1) })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
	});

	it('enqueues one build job per day, however often asked, and a worker makes it READY', async () => {
		const { merchant, caller } = await signedIn();
		const day = addDays(statementWindow().last, -2);
		await caller.statements.request({ date: day });
		await caller.statements.request({ date: day });
		const queue = getQueue(QUEUES.STATEMENTS);
		const job = await queue.getJob(statementJobId(merchant.id, day));
		expect(job?.name).toBe('statements.build');
		const row = await db.selectFrom('statements').selectAll().where('merchant_id', '=', merchant.id).where('accounting_date', '=', day).executeTakeFirstOrThrow();
		expect(job?.data).toEqual({ statementId: row.id.toString() });
		expect(await queue.getJobCounts('wait', 'delayed', 'active')).toMatchObject({ wait: 1 });
		const audit = await db.selectFrom('audit_log').select('action').where('merchant_id', '=', merchant.id).execute();
		expect(audit.map((a) => a.action)).toContain('statements.request');

		const running = await startWorkers({ db, concurrency: 1, schedulers: false, log: () => {} });
		try {
			const deadline = Date.now() + 20_000;
			let status = '';
			while (Date.now() < deadline && status !== 'READY') {
				await new Promise((r) => setTimeout(r, 200));
				status = (await db.selectFrom('statements').select('status').where('id', '=', row.id).executeTakeFirstOrThrow()).status;
			}
			expect(status).toBe('READY');
		} finally {
			await running.close();
		}
		const month = await caller.statements.month({ month: day.slice(0, 7) });
		const shown = month.days.find((d) => d.date === day)!;
		expect(shown.state).toBe('READY');
		expect(shown.csvFileId).not.toBeNull();
		// READY: asking again changes nothing
		expect(await caller.statements.request({ date: day })).toEqual({ status: 'READY' });
	});
});

describe('file download authorization', () => {
	it("serves a statement's files to its merchant with the permission only", async () => {
		const a = await signedIn();
		const day = addDays(statementWindow().last, -3);
		const s = await upsertStatement(db, a.merchant.id, day);
		const { buildStatement } = await import('#shared/server/statements/build.ts');
		const built = await buildStatement(db, s.id);
		if (built.outcome !== 'built') throw new Error('not built');

		const grant = await authorizeFileDownload(db, a.ctx.auth!, built.xlsxFileId);
		expect(grant?.auditAction).toBe('statements.download');
		expect(grant?.file.name).toBe(`对账单_${a.merchant.merchant_no}_${day}.xlsx`);
		expect(grant?.file.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		expect(grant?.detail).toMatchObject({ accountingDate: day, format: 'XLSX' });

		const other = await signedIn();
		expect(await authorizeFileDownload(db, other.ctx.auth!, built.csvFileId)).toBeUndefined();
		const noPerm = await signedInStaff(db, await makeStaff(db, a.merchant.id), ['payments.read']);
		expect(await authorizeFileDownload(db, noPerm, built.csvFileId)).toBeUndefined();
		expect(await authorizeFileDownload(db, a.ctx.auth!, 999_999_999n)).toBeUndefined();
	});
});
