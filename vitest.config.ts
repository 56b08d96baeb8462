import { defineConfig } from 'vitest/config';
import { sveltekit } from '@sveltejs/kit/vite';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		include: ['tests/**/*.test.ts', 'src/**/*.test.ts'],
		exclude: ['tests/e2e/**', 'tests/faults/**', 'tests/processes/**', 'node_modules/**'],
		globalSetup: ['tests/setup/global.ts'],
		setupFiles: ['tests/setup/per-file.ts'],
		pool: 'forks',
		maxWorkers: 2,
		testTimeout: 30_000,
		hookTimeout: 60_000
	}
});
