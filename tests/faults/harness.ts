// The fault suite's set-up on top of tests/fixtures/processes.ts: a private copy of the build
// per file and unique database names.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSnapshot } from '../../scripts/lib/processes.ts';
import { ROOT } from '../fixtures/processes.ts';

export { adminQuery, call, createSeededDatabase, ROOT, shown, signIn, startWeb, startWorker, until, type Answer, type Proc } from '../fixtures/processes.ts';

/**
 * A private copy of the build. The e2e global setup has just built it fresh; a source edited
 * since (another checkout user) does not make each fault file rebuild. Builds only if missing.
 */
export async function buildCopy(name: string): Promise<{ dir: string; remove: () => void }> {
	const dir = join(ROOT, '.data', `fault-build-${name}`);
	if (existsSync(join(ROOT, 'build', 'handler.js'))) cpSync(join(ROOT, 'build'), dir, { recursive: true });
	else await buildSnapshot(ROOT, dir, () => {});
	return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const uniqueName = (what: string) => `mb_fault_${what}_${randomBytes(4).toString('hex')}`;
