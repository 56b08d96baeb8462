// Sign-in input, shared by the auth router and the login form. Messages are catalogue keys.
import { z } from 'zod';
import { text } from './common.ts';

export const merchantNoSchema = text({ trim: true }).regex(/^[0-9]{16}$/, 'auth.merchantNoInvalid');
export const phoneSchema = text({ trim: true }).regex(/^1[0-9]{10}$/, 'auth.phoneInvalid');

export const signInSchema = z.object({
	merchantNo: merchantNoSchema,
	phone: phoneSchema,
	// No trimming: spaces may be part of a password. The cap keeps hashing cost bounded.
	password: text().min(1, 'auth.passwordRequired').max(128, 'auth.invalidCredentials')
});

export type SignInInput = z.infer<typeof signInSchema>;
