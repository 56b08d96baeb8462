import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { isMessageKey, translate, type MessageKey } from '$lib/i18n/messages';
import type { ProcedurePermission } from '$lib/permissions';
import { HashingBusyError } from '$lib/server/auth/password';
import type { SessionContext } from '$lib/server/auth/types';
import type { Context } from './context';

/** Carries the values a catalogue message needs ({until}, {name}, …) to the error formatter. */
export class MessageParams extends Error {
	constructor(readonly params: Record<string, string | number>) {
		super('message params');
	}
}

/** A TRPCError whose message is a catalogue key, optionally with the key's placeholders filled. */
export function appError(
	code: ConstructorParameters<typeof TRPCError>[0]['code'],
	key: MessageKey,
	params?: Record<string, string | number>
): TRPCError {
	return new TRPCError({ code, message: key, cause: params ? new MessageParams(params) : undefined });
}

/** One refused form field: its name and the catalogue key (with placeholders) to show under it. */
export interface FieldIssue {
	field: string;
	key: MessageKey;
	params?: Record<string, string | number>;
}

/** Carries every refused field of a form; the first issue's params double as the message's. */
export class FieldIssues extends MessageParams {
	constructor(readonly issues: readonly FieldIssue[]) {
		super(issues[0]?.params ?? {});
	}
}

/** A BAD_REQUEST that names every refused field, so the form can show each under its input. */
export function fieldError(issues: readonly FieldIssue[]): TRPCError {
	return new TRPCError({ code: 'BAD_REQUEST', message: issues[0]?.key ?? 'error.badInput', cause: new FieldIssues(issues) });
}

export interface Meta {
	/** Required on every procedure; the middleware refuses a procedure that declares none. */
	permission?: ProcedurePermission;
	/** Allowed while the person must still change the initial password (the change itself, me, sign-out). */
	allowPendingPasswordChange?: boolean;
}

const t = initTRPC
	.context<Context>()
	.meta<Meta>()
	.create({
		transformer: superjson,
		// Messages are catalogue keys; the person reads them in their own language.
		errorFormatter({ shape, error, ctx }) {
			const locale = ctx?.locale ?? 'zh-CN';
			const zod = error.cause instanceof ZodError ? error.cause : null;
			const issues = error.cause instanceof FieldIssues ? error.cause.issues : null;
			const fieldErrors: Record<string, string> = {};
			if (zod) {
				for (const issue of zod.issues) {
					const field = issue.path.join('.') || '_';
					fieldErrors[field] ??= translate(locale, isMessageKey(issue.message) ? issue.message : 'error.badInput');
				}
			}
			for (const issue of issues ?? []) fieldErrors[issue.field] ??= translate(locale, issue.key, issue.params);
			const message = zod
				? (Object.values(fieldErrors)[0] ?? translate(locale, 'error.badInput'))
				: error.code === 'INTERNAL_SERVER_ERROR'
					? translate(locale, 'error.internal')
					: translate(locale, error.message, error.cause instanceof MessageParams ? error.cause.params : undefined);
			return {
				...shape,
				message,
				data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, fieldErrors: zod || issues ? fieldErrors : null }
			};
		}
	});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Deny by default: every procedure must say who may call it. */
const permissionGate = t.middleware(({ ctx, meta, next }) => {
	const permission = meta?.permission;
	if (!permission) throw new TRPCError({ code: 'FORBIDDEN', message: 'error.forbidden' });
	if (permission === 'public') return next();
	const auth = ctx.auth;
	if (!auth) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
	if (auth.staff.mustChangePassword && !meta?.allowPendingPasswordChange)
		throw new TRPCError({ code: 'FORBIDDEN', message: 'error.mustChangePassword' });
	if (permission !== 'authenticated' && !auth.permissions.has(permission))
		throw new TRPCError({ code: 'FORBIDDEN', message: 'error.forbidden' });
	return next();
});

/** A saturated password-hashing gate is a clear "busy, try again", not an internal error. */
const busyAsTooManyRequests = t.middleware(async ({ next }) => {
	const result = await next();
	if (!result.ok && result.error.cause instanceof HashingBusyError) throw appError('TOO_MANY_REQUESTS', 'auth.busy');
	return result;
});

/** For procedures that declare `permission: 'public'`. */
export const publicProcedure = t.procedure.use(permissionGate).use(busyAsTooManyRequests);

/** Everything else: ctx.auth is present and the declared permission is held. */
export const protectedProcedure = t.procedure.use(permissionGate).use(busyAsTooManyRequests).use(({ ctx, next }) => {
	if (!ctx.auth) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
	const auth: SessionContext = ctx.auth;
	return next({ ctx: { ...ctx, auth, merchantId: auth.staff.merchantId, staffId: auth.staff.id } });
});

export type ProtectedContext = Context & { auth: SessionContext; merchantId: bigint; staffId: bigint };
