// `npm test`: the unit/API/jobs suites, then the browser (e2e) suite. Both always run;
// the exit code is non-zero when either failed.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

function vitest(label: string, args: string[]): Promise<{ label: string; ok: boolean; ms: number }> {
	const started = Date.now();
	console.log(`\n=== ${label}: vitest ${args.join(' ')}`);
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [VITEST, ...args], { cwd: ROOT, stdio: 'inherit' });
		child.once('error', () => resolve({ label, ok: false, ms: Date.now() - started }));
		child.once('exit', (code) => resolve({ label, ok: code === 0, ms: Date.now() - started }));
	});
}

const results = [
	await vitest('unit, API and jobs', ['run']),
	await vitest('end to end', ['run', '--config', 'vitest.e2e.config.ts'])
];
console.log('');
for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.label}  (${Math.round(r.ms / 1000)} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
