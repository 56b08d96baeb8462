// The security core: sessions, passwords, sign-in and sign-out. Knows neither tRPC nor SvelteKit.
export * from './config.ts';
export * from './cookie.ts';
export * from './password.ts';
export * from './session.ts';
export * from './sign-in.ts';
export * from './sign-out.ts';
export type * from './types.ts';
