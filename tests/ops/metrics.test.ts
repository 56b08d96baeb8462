// /metrics of the web process and the worker's metrics port: refused without the token, and
// after real requests, sign-ins and jobs, the numbers an operator would alert on.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { startMetricsServer } from '#shared/server/metrics-server.ts';
import { enqueue } from '#shared/server/queue/enqueue.ts';
import { closeQueues } from '#shared/server/queue/queues.ts';
import { makeMerchant, makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { sample, scrapeMetrics, trpcMutation, trpcQuery } from './http.ts';
import { dropTestJobs } from '../fixtures/queues.ts';

const db = getDb();
const TOKEN = 'scrape-token-for-tests';

afterEach(() => {
	delete process.env.METRICS_TOKEN;
	delete process.env.LOGIN_MAX_FAILURES;
});

afterAll(async () => {
	await closeQueues();
	await dropTestJobs();
});

async function exposition(): Promise<string> {
	process.env.METRICS_TOKEN = TOKEN;
	const r = await scrapeMetrics(`Bearer ${TOKEN}`);
	expect(r.response.status).toBe(200);
	expect(r.response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
	return r.response.text();
}

/** How much each series grew while fn ran (a series not there yet counts from 0). */
async function growth(series: string[], fn: () => Promise<unknown>): Promise<Record<string, number>> {
	const before = await exposition();
	await fn();
	const after = await exposition();
	return Object.fromEntries(series.map((s) => [s, (sample(after, s) ?? 0) - (sample(before, s) ?? 0)]));
}

describe('/metrics on the web', () => {
	it('is off (404) without METRICS_TOKEN, and answers 401 without the right bearer token', async () => {
		expect((await scrapeMetrics(`Bearer ${TOKEN}`)).response.status).toBe(404);
		process.env.METRICS_TOKEN = TOKEN;
		const none = await scrapeMetrics();
		expect(none.response.status).toBe(401);
		expect(none.response.headers.get('www-authenticate')).toBe('Bearer');
		expect(await none.response.text()).not.toContain('mb_');
		expect((await scrapeMetrics(`Bearer ${TOKEN}x`)).response.status).toBe(401);
		expect((await scrapeMetrics(`Basic ${TOKEN}`)).response.status).toBe(401);
		expect((await scrapeMetrics(`Bearer ${TOKEN}`)).response.status).toBe(200);
	});

	it('counts requests by route and status, procedure calls by path, errors by code, and sign-in failures by reason', async () => {
		const merchant = await makeMerchant(db);
		const staff = await makeStaff(db, merchant.id);
		const good = { merchantNo: merchant.merchant_no, phone: staff.phone, password: PASSWORD };
		const g = await growth(
			[
				'mb_http_request_duration_seconds_count{route="/api/trpc/[...trpc]",method="POST",status="200"}',
				'mb_http_request_duration_seconds_count{route="/api/trpc/[...trpc]",method="POST",status="401"}',
				'mb_http_request_duration_seconds_count{route="/api/trpc/[...trpc]",method="GET",status="404"}',
				'mb_trpc_procedure_duration_seconds_count{path="auth.signIn",type="mutation"}',
				'mb_trpc_procedure_duration_seconds_count{path="auth.me",type="query"}',
				'mb_trpc_errors_total{path="auth.signIn",code="UNAUTHORIZED"}',
				'mb_trpc_errors_total{path="unknown",code="NOT_FOUND"}',
				'mb_trpc_errors_total{path="auth.me",code="UNAUTHORIZED"}',
				'mb_sign_in_failures_total{reason="badPassword"}'
			],
			async () => {
				expect((await trpcMutation('auth.signIn', good)).response.status).toBe(200);
				expect((await trpcMutation('auth.signIn', { ...good, password: 'Wrong#Pass1' })).response.status).toBe(401);
				expect((await trpcQuery('auth.me')).response.status).toBe(401);
				// A scanner's made-up path is counted, but never becomes a label value of its own.
				expect((await trpcQuery('no.such.procedure.x7')).response.status).toBe(404);
			}
		);
		expect(g).toEqual({
			'mb_http_request_duration_seconds_count{route="/api/trpc/[...trpc]",method="POST",status="200"}': 1,
			'mb_http_request_duration_seconds_count{route="/api/trpc/[...trpc]",method="POST",status="401"}': 1,
			'mb_http_request_duration_seconds_count{route="/api/trpc/[...trpc]",method="GET",status="404"}': 1,
			'mb_trpc_procedure_duration_seconds_count{path="auth.signIn",type="mutation"}': 2,
			'mb_trpc_procedure_duration_seconds_count{path="auth.me",type="query"}': 1,
			'mb_trpc_errors_total{path="auth.signIn",code="UNAUTHORIZED"}': 1,
			'mb_trpc_errors_total{path="unknown",code="NOT_FOUND"}': 1,
			'mb_trpc_errors_total{path="auth.me",code="UNAUTHORIZED"}': 1,
			'mb_sign_in_failures_total{reason="badPassword"}': 1
		});
		expect(await exposition()).not.toContain('no.such.procedure');
	});

	it('counts a sign-in refused by the lock before any check as a throttle', async () => {
		process.env.LOGIN_MAX_FAILURES = '1';
		const merchant = await makeMerchant(db);
		const staff = await makeStaff(db, merchant.id);
		const wrong = { merchantNo: merchant.merchant_no, phone: staff.phone, password: 'Wrong#Pass1' };
		const g = await growth(['mb_sign_in_failures_total{reason="badPasswordLocked"}', 'mb_sign_in_throttled_total{reason="locked"}'], async () => {
			await trpcMutation('auth.signIn', wrong);
			await trpcMutation('auth.signIn', wrong);
		});
		expect(g).toEqual({ 'mb_sign_in_failures_total{reason="badPasswordLocked"}': 1, 'mb_sign_in_throttled_total{reason="locked"}': 1 });
	});

	it('shows the pg pools, the queues and the process', async () => {
		await enqueue('upkeep.hourly', {});
		await enqueue('upkeep.hourly', {}, { delay: 3_600_000 });
		const text = await exposition();
		const total = sample(text, 'mb_pg_pool_total{pool="main"}')!;
		expect(total).toBeGreaterThan(0);
		expect(sample(text, 'mb_pg_pool_idle{pool="main"}')).toBeLessThanOrEqual(total);
		expect(sample(text, 'mb_pg_pool_waiting{pool="main"}')).toBe(0);
		expect(sample(text, 'mb_queue_jobs{queue="exports",state="waiting"}')).toBe(1);
		expect(sample(text, 'mb_queue_jobs{queue="exports",state="delayed"}')).toBe(1);
		expect(sample(text, 'mb_queue_jobs{queue="exports",state="active"}')).toBe(0);
		expect(sample(text, 'mb_queue_jobs{queue="statements",state="failed"}')).toBe(0);
		expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
		expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
	});
});

describe("the worker's metrics port", () => {
	it('answers GET /metrics with the bearer token only', async () => {
		process.env.METRICS_TOKEN = TOKEN;
		const server = await startMetricsServer(0);
		try {
			const url = `http://127.0.0.1:${server.port}`;
			expect((await fetch(`${url}/metrics`)).status).toBe(401);
			expect((await fetch(`${url}/other`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
			const ok = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
			expect(ok.status).toBe(200);
			expect(await ok.text()).toContain('# TYPE mb_build_duration_seconds histogram');
		} finally {
			await server.close();
		}
	});
});
