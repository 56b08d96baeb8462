// Fault (d): eight clients open a download and stop reading. With a file pool of two connections
// a ninth download still starts at once (a download holds a connection only while it reads one
// 1 MiB window), and the stalled sockets are closed after DOWNLOAD_IDLE_MS. Then the web process
// gets SIGTERM in the middle of a slow download: the download finishes, new connections are
// refused, and the process exits 0 (graceful shutdown, adapter-node's SHUTDOWN_TIMEOUT).
import { createHash } from 'node:crypto';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '#db';
import { adminQuery, buildCopy, createSeededDatabase, signIn, startWeb, uniqueName, type Proc } from './harness.ts';
import { readAll, storeDownload, type Download } from './files.ts';

const SERVER = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = uniqueName('stall');
const IDLE_MS = 3_000;
let db: Db;
let web: Proc & { base: string };
let removeBuild = () => {};
let cookie: string;
let file: Download;
let small: Download;

beforeAll(async () => {
	const url = await createSeededDatabase(SERVER, NAME);
	db = createDb(url, 2);
	// Larger than loopback's socket buffers can hold (up to 32 MiB here), so a client that stops reading stalls the server.
	file = await storeDownload(db, 64 * 1024 * 1024 + 777);
	small = await storeDownload(db, 3 * 1024 * 1024 + 55);
	const build = await buildCopy(NAME);
	removeBuild = build.remove;
	web = await startWeb(build.dir, { DATABASE_URL: url, REDIS_PREFIX: `mbfault:${NAME}`, FILE_POOL_MAX: '2', DOWNLOAD_IDLE_MS: String(IDLE_MS), SHUTDOWN_TIMEOUT: '20' });
	cookie = await signIn(web.base);
}, 120_000);

afterAll(async () => {
	await web?.stop();
	await db?.destroy();
	removeBuild();
	await adminQuery(SERVER, `DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
});

/** A download whose reader takes its first bytes and then reads no more (the socket's buffers fill). */
function stalledDownload(): Promise<{ req: ClientRequest; res: IncomingMessage }> {
	return new Promise((resolve, reject) => {
		const req = request(`${web.base}/files/${file.fileId}`, { headers: { cookie }, agent: false }, (res) => {
			res.once('data', () => {
				res.pause();
				resolve({ req, res });
			});
		});
		req.once('error', reject);
		req.end();
	});
}

/** Reads the rest of a paused response: whether all of the file arrived. */
function finish(res: IncomingMessage): Promise<{ complete: boolean }> {
	return new Promise((resolve) => {
		let bytes = 0;
		res.on('data', (b: Buffer) => (bytes += b.length));
		res.once('end', () => resolve({ complete: res.complete && bytes > 0 }));
		res.once('aborted', () => resolve({ complete: false }));
		res.once('error', () => resolve({ complete: false }));
		res.resume();
	});
}

/** A download read piece by piece with a pause after each, on a connection of its own. */
function slowDownload(fileId: bigint, pauseMs: number, onPiece: (n: number) => Promise<void>) {
	return new Promise<{ status?: number; complete: boolean; sha256: string; size: number }>((resolve, reject) => {
		const req = request(`${web.base}/files/${fileId}`, { headers: { cookie }, agent: false }, async (res) => {
			const hash = createHash('sha256');
			let size = 0;
			let n = 0;
			try {
				for await (const piece of res) {
					hash.update(piece as Buffer);
					size += (piece as Buffer).length;
					await onPiece(++n);
					await new Promise((r) => setTimeout(r, pauseMs));
				}
				resolve({ status: res.statusCode, complete: res.complete, sha256: hash.digest('hex'), size });
			} catch (err) {
				reject(err);
			}
		});
		req.once('error', reject);
		req.end();
	});
}

/** GET on a connection of its own (no keep-alive pool): its status, or the connect error's code. */
function onNewConnection(url: string): Promise<string> {
	return new Promise((resolve) => {
		const req = request(url, { agent: false }, (res) => {
			res.resume();
			resolve(`answered ${res.statusCode}`);
		});
		req.once('error', (e: Error & { code?: string }) => resolve(e.code ?? e.message));
		req.end();
	});
}

describe('clients that open downloads and stop reading', () => {
	it('starve nobody: a ninth download starts at once, and the stalled sockets are closed after the idle time', async () => {
		const stalled = await Promise.all(Array.from({ length: 8 }, () => stalledDownload()));
		expect(stalled.map((s) => s.res.statusCode)).toEqual(Array(8).fill(200));

		const started = performance.now();
		const ninth = await fetch(`${web.base}/files/${file.fileId}`, { headers: { cookie } });
		const firstByteMs = performance.now() - started;
		expect(ninth.status).toBe(200);
		expect(firstByteMs).toBeLessThan(1_000);
		expect(await readAll(ninth)).toEqual({ sha256: file.sha256, size: file.size });

		// Nothing moved on the stalled sockets for DOWNLOAD_IDLE_MS: the server has closed them, so a
		// client that reads again gets the rest of its buffers and then a download cut short.
		await new Promise((r) => setTimeout(r, IDLE_MS + 1_500));
		const resumed = await Promise.all(stalled.map((s) => finish(s.res)));
		expect(resumed).toEqual(Array(8).fill({ complete: false }));
		expect(web.alive()).toBe(true);
	}, 40_000);
});

describe('SIGTERM while a download is in flight', () => {
	it('finishes the download, refuses new connections, then exits 0', async () => {
		let refused: string | null = null;
		// node:http on a connection of its own: the server closes it right after the last byte.
		const got = await slowDownload(small.fileId, 20, async (n) => {
			if (n !== 1) return;
			web.child.kill('SIGTERM');
			await new Promise((r) => setTimeout(r, 300));
			// The listener is closed: a new client cannot connect while the download goes on.
			refused = await onNewConnection(`${web.base}/healthz`);
		});
		expect(got).toEqual({ status: 200, complete: true, sha256: small.sha256, size: small.size });
		expect(refused).toBe('ECONNREFUSED');
		const code = await new Promise<number | null>((resolve) => (web.child.exitCode !== null ? resolve(web.child.exitCode) : web.child.once('exit', resolve)));
		expect(code).toBe(0);
		expect(web.output()).toContain('SIGTERM: requests finished, closing pools');
	}, 30_000);
});
