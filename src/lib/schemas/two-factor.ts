// Two-factor sign-in, enrolment and the merchant's policy: inputs shared by the routers and the
// forms. Messages are catalogue keys.
import { z } from 'zod';
import { text } from './common.ts';

/** A TOTP code (6 digits) or a recovery code (xxxxx-xxxxx); the server tells which. */
export const secondFactorCodeSchema = z.object({
	code: text({ trim: true }).min(1, 'auth.codeRequired').max(40, 'auth.badCode')
});

export const twoFactorPolicySchema = z.object({ required: z.boolean() });

/** Step-up: the password or a code again. */
export const stepUpSchema = z.object({
	method: z.enum(['password', 'code']),
	value: text().min(1, 'stepUp.required').max(128, 'stepUp.required')
});
export type StepUpInput = z.infer<typeof stepUpSchema>;
