// `npm test`: the unit/API/jobs suites, then the browser (e2e) suite. Both always run;
// the exit code is non-zero when either failed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

interface Result {
	label: string;
	ok: boolean;
	ms: number;
	failures: string[];
}

// CI shows only the end of the log, so the names of failed tests are repeated at the end.
const reports = mkdtempSync(join(tmpdir(), 'mb-test-report-'));

function failuresOf(file: string): string[] {
	try {
		const report = JSON.parse(readFileSync(file, 'utf8')) as {
			testResults: { name: string; message?: string; assertionResults: { fullName: string; status: string }[] }[];
		};
		return report.testResults.flatMap((f) => {
			const rel = f.name.replace(ROOT + '/', '');
			const failed = f.assertionResults.filter((a) => a.status === 'failed').map((a) => `${rel} > ${a.fullName}`);
			return failed.length || !f.message ? failed : [`${rel}: ${f.message.split('\n')[0]}`];
		});
	} catch {
		return ['(no JSON report: see the log above)'];
	}
}

function vitest(label: string, args: string[]): Promise<Result> {
	const started = Date.now();
	const report = join(reports, `${label.replace(/\W+/g, '-')}.json`);
	const all = [...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
	console.log(`\n=== ${label}: vitest ${args.join(' ')}`);
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [VITEST, ...all], { cwd: ROOT, stdio: 'inherit' });
		const done = (ok: boolean) => {
			const failures = ok ? [] : failuresOf(report);
			if (!ok && !failures.length) failures.push('no test failed: an unhandled error or a setup failure (see the log above)');
			resolve({ label, ok, ms: Date.now() - started, failures });
		};
		child.once('error', () => done(false));
		child.once('exit', (code) => done(code === 0));
	});
}

const results = [
	await vitest('unit, API and jobs', ['run']),
	await vitest('end to end', ['run', '--config', 'vitest.e2e.config.ts'])
];
console.log('');
for (const r of results) {
	console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.label}  (${Math.round(r.ms / 1000)} s)`);
	for (const f of r.failures) console.log(`      ✗ ${f}`);
}
rmSync(reports, { recursive: true, force: true });
process.exit(results.every((r) => r.ok) ? 0 : 1);
