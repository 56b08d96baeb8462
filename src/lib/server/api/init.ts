import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { transformer } from '$lib/trpc/transformer';
import { isMessageKey, translate, type Locale, type MessageKey } from '$lib/i18n/messages';
import { requiredAnyOf, type ProcedurePermission } from '$lib/permissions';
import type { Actor } from '$lib/server/audit';
import { DomainError, type FieldIssue } from '$lib/server/domain-error';
import { recentlyVerified } from '$lib/server/auth/step-up';
import { isOutage } from '$lib/server/outage';
import type { SessionContext } from '$lib/server/auth/types';
import type { Context } from './context';
import { timeProcedure } from './observe';

/** Carries the values a catalogue message needs ({until}, {name}, …) to the error formatter. */
export class MessageParams extends Error {
	constructor(readonly params: Record<string, string | number>) {
		super('message params');
	}
}

/** For an error raised before a context exists (the context itself could not be made): the person's language. */
export class RequestLocale extends Error {
	constructor(
		readonly locale: Locale,
		cause: unknown
	) {
		super('raised before the context', { cause });
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


/** Carries every refused field of a form; the first issue's params double as the message's. */
class FieldIssues extends MessageParams {
	constructor(readonly issues: readonly FieldIssue[]) {
		super(issues[0]?.params ?? {});
	}
}

/** A BAD_REQUEST that names every refused field, so the form can show each under its input. */
export function fieldError(issues: readonly FieldIssue[]): TRPCError {
	return new TRPCError({ code: 'BAD_REQUEST', message: issues[0]?.key ?? 'error.badInput', cause: new FieldIssues(issues) });
}

export interface Meta {
	/** Required on every procedure; the middleware refuses a procedure that declares none. A list means any one of them. */
	permission?: ProcedurePermission;
	/** Allowed while the person must still change the initial password (the change itself, me, sign-out). */
	allowPendingPasswordChange?: boolean;
	/**
	 * Allowed while the merchant requires two-factor and the person has not enrolled yet
	 * (enrolment itself, me, sign-out). A session whose second factor is still pending is no
	 * signed-in person at all (ctx.auth is null; ctx.pendingSignIn holds it).
	 */
	allowPendingEnrolment?: boolean;
	/**
	 * Sensitive (hands out access, changes payment keys): also needs the password or a code checked
	 * in this session within the last 5 minutes (auth.stepUp). Refused as PRECONDITION_FAILED
	 * 'auth.stepUpRequired', a code nothing else uses, so the browser knows to ask and retry.
	 */
	stepUp?: boolean;
}

const t = initTRPC
	.context<Context>()
	.meta<Meta>()
	.create({
		transformer,
		// Messages are catalogue keys; the person reads them in their own language.
		errorFormatter({ shape, error, ctx }) {
			const locale = ctx?.locale ?? (error.cause instanceof RequestLocale ? error.cause.locale : 'zh-CN');
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
			const unavailable = isUnavailable(error);
			const message = zod
				? (Object.values(fieldErrors)[0] ?? translate(locale, 'error.badInput'))
				: translate(locale, catalogueKey(error), error.cause instanceof MessageParams ? error.cause.params : undefined);
			const code = unavailable ? 'SERVICE_UNAVAILABLE' : shape.data.code;
			return {
				...shape,
				message,
				data: { code, httpStatus: unavailable ? 503 : shape.data.httpStatus, path: shape.data.path, fieldErrors: zod || issues ? fieldErrors : null }
			};
		}
	});

/** Postgres or Redis down or saturated, however the error reached the formatter (procedure, context). */
export function isUnavailable(error: TRPCError): boolean {
	return error.code === 'SERVICE_UNAVAILABLE' || isOutage(error.cause);
}

/**
 * What each refusal that carries no catalogue key of its own says: tRPC's own English
 * messages (an unknown procedure, a wrong method or content type, unreadable JSON) never
 * reach a person (the endpoint logs them with LOG_LEVEL=debug).
 */
const CODE_KEYS: Partial<Record<TRPCError['code'], MessageKey>> = {
	PARSE_ERROR: 'error.badInput',
	BAD_REQUEST: 'error.badInput',
	UNAUTHORIZED: 'error.unauthorized',
	FORBIDDEN: 'error.forbidden',
	NOT_FOUND: 'error.unknownCall',
	METHOD_NOT_SUPPORTED: 'error.methodNotAllowed',
	UNSUPPORTED_MEDIA_TYPE: 'error.unsupportedRequest',
	PAYLOAD_TOO_LARGE: 'error.tooLarge',
	TOO_MANY_REQUESTS: 'error.tooManyRequests'
};

/** The catalogue key a person sees for this error. */
function catalogueKey(error: TRPCError): MessageKey {
	if (isUnavailable(error)) return 'error.unavailable';
	if (error.code === 'INTERNAL_SERVER_ERROR') return 'error.internal';
	if (isMessageKey(error.message)) return error.message;
	return CODE_KEYS[error.code] ?? 'error.internal';
}

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
	// The initial password comes first, then enrolment.
	if (auth.mustEnrolTwoFactor && !meta?.allowPendingEnrolment && !(auth.staff.mustChangePassword && meta?.allowPendingPasswordChange))
		throw new TRPCError({ code: 'FORBIDDEN', message: 'auth.mustEnrolTwoFactor' });
	const anyOf = requiredAnyOf(permission);
	if (anyOf && !anyOf.some((p) => auth.permissions.has(p))) throw new TRPCError({ code: 'FORBIDDEN', message: 'error.forbidden' });
	if (meta?.stepUp && !recentlyVerified(auth)) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
	return next();
});

/**
 * The one place a feature's DomainError becomes a tRPC error: a refusal is answered with its
 * code and catalogue key (every refused field named when it has them; a saturated
 * password-hashing gate is TOO_MANY_REQUESTS auth.busy this way). The 5xx ones stay with the
 * outage and internal-error paths, which log their cause.
 */
const domainErrors = t.middleware(async ({ next }) => {
	const result = await next();
	const e = result.ok ? null : result.error.cause;
	if (e instanceof DomainError && e.isRefusal) throw e.issues && e.code === 'BAD_REQUEST' ? fieldError(e.issues) : appError(e.code, e.key, Object.keys(e.params).length ? e.params : undefined);
	return result;
});

/**
 * Postgres or Redis down (a restart, a terminated connection, a pool with no free connection
 * in time) is "try again shortly" (503), not an internal error; server-side callers in load
 * functions see the same catalogue key.
 */
const outageAsUnavailable = t.middleware(async ({ next }) => {
	const result = await next();
	if (!result.ok && result.error.code !== 'SERVICE_UNAVAILABLE' && isOutage(result.error.cause))
		throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'error.unavailable', cause: result.error.cause });
	return result;
});

/** Each call's duration for the metrics, refusals by the gates included. */
const timed = t.middleware(({ path, type, next }) => timeProcedure(path, type, next));

/** For procedures that declare `permission: 'public'`. */
export const publicProcedure = t.procedure.use(timed).use(outageAsUnavailable).use(permissionGate).use(domainErrors);

/** Everything else: ctx.auth is present and the declared permission is held. */
export const protectedProcedure = t.procedure.use(timed).use(outageAsUnavailable).use(permissionGate).use(domainErrors).use(({ ctx, next }) => {
	if (!ctx.auth) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'error.unauthorized' });
	const auth: SessionContext = ctx.auth;
	return next({ ctx: { ...ctx, auth, merchantId: auth.staff.merchantId, staffId: auth.staff.id } });
});

export type ProtectedContext = Context & { auth: SessionContext; merchantId: bigint; staffId: bigint };

/** The signed-in person as the author of a change (for updated_by and the audit log). */
export function actorOf(ctx: ProtectedContext): Actor {
	return { merchantId: ctx.merchantId, staffId: ctx.staffId, actorName: ctx.auth.staff.name, ip: ctx.ip, userAgent: ctx.userAgent };
}
