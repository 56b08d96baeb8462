// A job's log lines name the request that asked for it: an export requested over HTTP is built
// by the worker, and its lines (and its build's metrics) can be found from the request id.
import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { startWorkers } from '../../jobs/worker.ts';
import { captureLogs } from '#shared/server/log.ts';
import { metrics } from '#shared/server/metrics.ts';
import { exportJobId, QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { sessionOf } from '../fixtures/context.ts';
import { makeMerchant, makeStaff } from '../fixtures/merchant.ts';
import { trpcMutation } from './http.ts';
import { dropTestJobs } from '../fixtures/queues.ts';
import { readAnswer } from '#shared/trpc/transformer.ts';

const db = getDb();

afterAll(async () => {
	await closeQueues();
	await dropTestJobs();
});

async function exportStatus(id: bigint): Promise<string> {
	return (await db.selectFrom('exports').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}

describe('job lines', () => {
	it('carry the id of the request that enqueued the job, from the payload to the completed line', async () => {
		const merchant = await makeMerchant(db);
		const admin = await makeStaff(db, merchant.id, { isAdmin: true });
		const { token } = await sessionOf(db, admin.id);
		const requestId = 'req-export-0001';
		const asked = await trpcMutation('exports.create', { list: 'withdrawals', format: 'CSV', filter: {}, columns: [] }, { 'x-request-id': requestId }, { session: token });
		expect(asked.response.status).toBe(200);
		const { id } = readAnswer<{ id: bigint }>((await asked.response.json()).result.data);

		const job = await getQueue(QUEUES.EXPORTS).getJob(exportJobId(id));
		expect(job?.data).toEqual({ exportId: String(id), requestId });

		const buildsBefore = (await metrics.buildDuration.get()).values.find((v) => v.metricName === 'mb_build_duration_seconds_count' && v.labels.kind === 'export')?.value ?? 0;
		const capture = captureLogs('info');
		let lines: Record<string, unknown>[];
		// No catch-up: its statement builds would log lines of their own.
		const running = await startWorkers({ db, concurrency: 1, schedulers: false, catchUp: false });
		try {
			for (let i = 0; i < 150 && (await exportStatus(id)) !== 'READY'; i++) await new Promise((r) => setTimeout(r, 100));
			expect(await exportStatus(id)).toBe('READY');
			// The completed event follows the row's update by a moment.
			for (let i = 0; i < 50 && !capture.entries().some((l) => String(l.msg).includes(`#${exportJobId(id)} completed`)); i++) await new Promise((r) => setTimeout(r, 50));
		} finally {
			await running.close();
			lines = capture.entries();
			capture.stop();
		}

		const jobId = exportJobId(id);
		expect(lines.find((l) => String(l.msg).startsWith('export built'))).toMatchObject({ level: 'info', requestId, jobId, job: 'exports.build', kind: 'export', rows: 0 });
		expect(lines.find((l) => String(l.msg).includes(`#${jobId} completed`))).toMatchObject({
			level: 'info',
			requestId,
			jobId,
			job: 'exports.build',
			queue: 'exports',
			durationMs: expect.any(Number),
			msg: expect.stringMatching(new RegExp(`^job exports/exports\\.build#${jobId.replace('.', '\\.')} completed in \\d+ ms$`))
		});
		const buildsAfter = (await metrics.buildDuration.get()).values.find((v) => v.metricName === 'mb_build_duration_seconds_count' && v.labels.kind === 'export')!.value;
		expect(buildsAfter - buildsBefore).toBe(1);
	});
});
