// Sign-in input, shared by the auth router and the login form. Messages are catalogue keys.
import { z } from 'zod';

export const merchantNoSchema = z.string().trim().regex(/^[0-9]{16}$/, 'auth.merchantNoInvalid');
export const phoneSchema = z.string().trim().regex(/^1[0-9]{10}$/, 'auth.phoneInvalid');

export const signInSchema = z.object({
	merchantNo: merchantNoSchema,
	phone: phoneSchema,
	// No trimming: spaces may be part of a password. The cap keeps hashing cost bounded.
	password: z.string().min(1, 'auth.passwordRequired').max(128, 'auth.invalidCredentials')
});

export type SignInInput = z.infer<typeof signInSchema>;
