import { defineConfig } from 'vitest/config';

// Browser tests against the built app (`node build`) on a fresh, seeded database.
export default defineConfig({
	test: {
		// The fault suite (tests/faults) runs real `node build` and worker processes too, one file at a time.
		// tests/processes: two webs and two workers from the same build.
		include: ['tests/e2e/**/*.test.ts', 'tests/faults/**/*.test.ts', 'tests/processes/**/*.test.ts'],
		globalSetup: ['tests/e2e/setup/global.ts'],
		pool: 'forks',
		// One server, one browser per file; files run one after another so timings stay honest.
		fileParallelism: false,
		testTimeout: 60_000,
		hookTimeout: 60_000
	}
});
