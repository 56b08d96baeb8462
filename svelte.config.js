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
		// The origin check is done by hooks.server.ts (src/lib/server/csrf.ts) with the same rule, so
		// its refusal is in the person's language; SvelteKit's own answers in English before any hook.
		csrf: { trustedOrigins: ['*'] },
		// Sent as a header on every page. 'auto': SvelteKit's own inline bootstrap script gets a
		// fresh nonce per response, so no other inline script runs. Styles allow 'unsafe-inline'
		// for style attributes (progress bars, app.html's wrapper, positioned popovers); an
		// injected style can restyle a page but not run code. Non-page answers get a policy that
		// allows nothing from hooks.server.ts.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
