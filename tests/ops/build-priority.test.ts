// The worker's Postgres backends run at a lower CPU priority than the web's, so a build's COPY
// does not slow down the lists people open meanwhile (issue 14, load with builds running).
// The guard matters as much: a pid reported by a server on another host must never renice a
// local process that happens to have the same number.
import { getPriority } from 'node:os';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, databaseUrl, reniceBackend, setDbRole } from '#db';
import { autogroupNice, sessionIdOf } from '../../db/autogroup.ts';

const pools: pg.Pool[] = [];

async function backendOf(role: 'web' | 'worker'): Promise<{ pid: number; nice: number }> {
	setDbRole(role);
	const pool = createPool(databaseUrl(), 1);
	pools.push(pool);
	const client = await pool.connect();
	try {
		const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
		return { pid: rows[0].pid, nice: getPriority(rows[0].pid) };
	} finally {
		client.release();
	}
}

/** A setting as a new session of a pool made for `role` sees it. */
async function settingOf(role: 'web' | 'worker', name: 'jit' | 'max_parallel_workers_per_gather'): Promise<string> {
	setDbRole(role);
	const pool = createPool(databaseUrl(), 1);
	pools.push(pool);
	return (await pool.query<{ value: string }>(`SELECT current_setting('${name}') AS value`)).rows[0].value;
}

afterEach(async () => {
	setDbRole('web');
	delete process.env.BUILD_NICE;
	await Promise.all(pools.splice(0).map((p) => p.end()));
});

describe('build backends priority', () => {
	it("the worker's backends run at nice 10, the web's at the server's own", async () => {
		const web = await backendOf('web');
		const worker = await backendOf('worker');
		expect(worker.nice).toBe(10);
		expect(web.nice).toBeLessThan(worker.nice);
	});

	// The postmaster setsid()s each backend, so each is an autogroup of its own and, with
	// autogroups on, its nice alone changes nothing against the web (db/autogroup.ts).
	it("each backend leads its own session; the worker's backends' autogroups run at nice 10, the web's stay at 0", async () => {
		const web = await backendOf('web');
		const worker = await backendOf('worker');
		expect(sessionIdOf(web.pid)).toBe(web.pid);
		expect(sessionIdOf(worker.pid)).toBe(worker.pid);
		expect(autogroupNice(worker.pid)).toBe(10);
		expect(autogroupNice(web.pid)).toBe(0);
	});

	it("the worker's backends run no parallel workers (those would not be reniced); the web's may", async () => {
		expect(await settingOf('worker', 'max_parallel_workers_per_gather')).toBe('0');
		expect(Number(await settingOf('web', 'max_parallel_workers_per_gather'))).toBeGreaterThan(0);
	});

	it("the worker's sessions compile no expressions (JIT off, whatever BUILD_NICE); the web's keep the server's setting", async () => {
		const show = (role: 'web' | 'worker') => settingOf(role, 'jit');
		const server = new pg.Client({ connectionString: databaseUrl() });
		await server.connect();
		const serverDefault = (await server.query<{ jit: string }>('SHOW jit')).rows[0].jit;
		await server.end();
		expect(serverDefault).toBe('on');
		expect(await show('worker')).toBe('off');
		process.env.BUILD_NICE = '0';
		expect(await show('worker')).toBe('off');
		delete process.env.BUILD_NICE;
		expect(await show('web')).toBe(serverDefault);
	});

	it('BUILD_NICE sets the level and 0 leaves the backend alone', async () => {
		process.env.BUILD_NICE = '15';
		const lowered = await backendOf('worker');
		expect(lowered.nice).toBe(15);
		expect(autogroupNice(lowered.pid)).toBe(15);
		process.env.BUILD_NICE = '0';
		const untouched = await backendOf('worker');
		const web = await backendOf('web');
		expect(untouched.nice).toBe(web.nice);
		expect(autogroupNice(untouched.pid)).toBe(0);
	});

	it("never renices a local process for a pid a remote server reported", async () => {
		const web = await backendOf('web');
		// A client that claims to be connected elsewhere but carries a local postgres pid.
		const remote = new pg.Client({ host: '10.20.30.40', port: 5432 });
		(remote as pg.Client & { processID: number }).processID = web.pid;
		expect(reniceBackend(remote, 12)).toBe(false);
		expect(getPriority(web.pid)).toBe(web.nice);
		// …nor a local pid that is not a postgres process (this test's own process).
		const local = new pg.Client({ host: '127.0.0.1', port: 5432 });
		(local as pg.Client & { processID: number }).processID = process.pid;
		const before = getPriority(process.pid);
		expect(reniceBackend(local, 12)).toBe(false);
		expect(getPriority(process.pid)).toBe(before);
	});
});
