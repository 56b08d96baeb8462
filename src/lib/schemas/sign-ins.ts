// 登录记录: the admin's view (审计日志) of sign-in attempts and 找回密码 events of their staff,
// and each person's own (设置 → 登录记录).
import { z } from 'zod';
import { timeBound } from './audit.ts';
import { idSchema } from './common.ts';
import { pageSchema, pageSizeSchema } from './roles.ts';

export const SIGN_IN_EVENTS = ['signIn', 'secondFactor', 'newDeviceAlert', 'sessionEnded', 'resetCodeRequest', 'reset'] as const;
export type SignInEvent = (typeof SIGN_IN_EVENTS)[number];
export const SIGN_IN_RESULTS = ['ok', 'failed'] as const;

/** '' from an empty select means "any". */
const anyOf = <T extends readonly [string, ...string[]]>(values: T) =>
	z
		.union([z.literal(''), z.enum(values, { error: 'error.badInput' })])
		.optional()
		.transform((v) => (v ? (v as T[number]) : undefined));

export const signInListFilter = z.object({
	staffId: idSchema.optional(),
	event: anyOf(SIGN_IN_EVENTS),
	result: anyOf(SIGN_IN_RESULTS),
	from: timeBound,
	to: timeBound
});

export const signInListInput = z.object({
	filter: signInListFilter.prefault({}),
	page: pageSchema,
	pageSize: pageSizeSchema
});

/** 设置 → 登录记录: one's own rows; the same filter without the person. */
export const ownSignInListInput = z.object({
	filter: signInListFilter.omit({ staffId: true }).prefault({}),
	page: pageSchema,
	pageSize: pageSizeSchema
});

export interface SignInRow {
	id: bigint;
	createdAt: Date;
	staffId: bigint | null;
	/** The staff member's current name; null for a phone number that is nobody's. */
	staffName: string | null;
	event: SignInEvent;
	ok: boolean;
	/** Why it failed (badPassword, unknownPhone, invalidCode…), or 'sent' for a code sent. */
	reason: string | null;
	/** Masked as it was typed (138****0001). */
	phone: string | null;
	ip: string | null;
	userAgent: string | null;
	/** Browser and OS read from the user agent ("Chrome 130 · Windows 10"); null when it names neither. */
	device: string | null;
}
