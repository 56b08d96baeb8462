// The browser runs under a Content-Security-Policy without 'unsafe-eval' (svelte.config.js).
// zod compiles object parsers with `new Function` where it may, and finds out by trying once:
// the browser reports that caught probe as a CSP violation although zod falls back. jitless
// skips the probe. This module runs before any page (and so any schema) is loaded.
import { config } from 'zod';

config({ jitless: true });
