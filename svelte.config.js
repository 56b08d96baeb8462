import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({ out: 'build' }),
		alias: { '#db': './db/index.ts', '#db/*': './db/*', '#jobs/*': './jobs/*' },
		// Forms post to tRPC with a JSON body; SvelteKit's origin check covers form actions.
		csrf: { trustedOrigins: [] }
	}
};

export default config;
