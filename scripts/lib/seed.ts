// Seeds the demo merchants (seed/demo.ts) unless they are there.
import type { Db } from '#db';
import { isSeeded, seedDemo, type DemoOptions } from '#seed/demo.ts';

/** Returns true when it seeded, false when the demo merchant was already there. */
export async function seedIfEmpty(db: Db, opts: DemoOptions = {}, log: (line: string) => void = console.log): Promise<boolean> {
	if (await isSeeded(db)) {
		log('demo data already present');
		return false;
	}
	log('seeding the demo data (first run only)…');
	const started = Date.now();
	await seedDemo(db, { log: (line) => log(`  ${line}`), ...opts });
	log(`seeded in ${Date.now() - started} ms`);
	return true;
}
