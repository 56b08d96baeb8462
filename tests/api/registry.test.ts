// Every procedure must say who may call it, with a permission that exists; one that says nothing
// is refused by the middleware (deny by default).
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { ALL_PERMISSIONS, type Permission } from '#shared/permissions.ts';
import { createCallerFactory, protectedProcedure, publicProcedure, router, type Meta } from '#shared/server/api/init.ts';
import { appRouter } from '#shared/server/api/root.ts';
import type { SessionContext } from '#shared/server/auth/types.ts';

interface ProcedureLike {
	_def: { meta?: Meta; type: string; procedure: true };
}

/** Every procedure of a router, at any depth, by dotted path (walks the nested record, not the flat index). */
function walk(record: Record<string, unknown>, prefix = ''): Map<string, ProcedureLike> {
	const out = new Map<string, ProcedureLike>();
	for (const [key, value] of Object.entries(record)) {
		const path = prefix ? `${prefix}.${key}` : key;
		const def = (value as { _def?: { procedure?: boolean; router?: boolean; record?: Record<string, unknown> } })?._def;
		if (def?.procedure) out.set(path, value as ProcedureLike);
		else if (def?.router && def.record) for (const [p, v] of walk(def.record, path)) out.set(p, v);
		else if (value && typeof value === 'object' && !def) for (const [p, v] of walk(value as Record<string, unknown>, path)) out.set(p, v);
	}
	return out;
}

const allowed = new Set<string>([...ALL_PERMISSIONS, 'public', 'authenticated']);

describe('procedure registry', () => {
	const procedures = walk(appRouter._def.record as Record<string, unknown>);

	it('finds every procedure (nested walk agrees with the flat index)', () => {
		expect(procedures.size).toBeGreaterThan(0);
		expect([...procedures.keys()].sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
		expect(procedures.has('auth.signIn')).toBe(true);
	});

	it('every procedure declares a permission that exists', () => {
		const problems: string[] = [];
		for (const [path, proc] of procedures) {
			const permission = proc._def.meta?.permission;
			if (!permission) problems.push(`${path}: no meta.permission`);
			else if (typeof permission !== 'string') {
				// any of a list: a real list of real permissions
				if (permission.length === 0) problems.push(`${path}: an empty any-of list`);
				for (const p of permission) if (!ALL_PERMISSIONS.includes(p)) problems.push(`${path}: unknown permission '${p}'`);
			} else if (!allowed.has(permission)) problems.push(`${path}: unknown permission '${permission}'`);
		}
		expect(problems).toEqual([]);
	});

	it('only sign-in style procedures are public', () => {
		const publicOnes = [...procedures].filter(([, p]) => p._def.meta?.permission === 'public').map(([k]) => k);
		expect(publicOnes).toContain('auth.signIn');
		expect(publicOnes.every((k) => /^(auth|password)\./.test(k))).toBe(true);
	});
});

describe('deny by default', () => {
	const admin: SessionContext = {
		sessionId: 'x',
		staff: {
			id: 1n,
			merchantId: 1n,
			merchantNo: '0000000000000001',
			merchantName: 'M',
			name: 'A',
			phone: '13900000000',
			email: null,
			isAdmin: true,
			mustChangePassword: false
		},
		permissions: new Set(ALL_PERMISSIONS),
		expiresAt: new Date(Date.now() + 60_000)
	};
	const throwaway = router({
		publicWithoutMeta: publicProcedure.query(() => 'leaked'),
		protectedWithoutMeta: protectedProcedure.query(() => 'leaked'),
		mutationWithoutMeta: protectedProcedure.mutation(() => 'leaked'),
		declared: protectedProcedure.meta({ permission: 'authenticated' }).query(() => 'ok'),
		anyOf: protectedProcedure.meta({ permission: ['payments.read', 'refunds.read'] }).query(() => 'ok'),
		anyOfNothing: protectedProcedure.meta({ permission: [] }).query(() => 'leaked')
	});
	const callerFactory = createCallerFactory(throwaway);
	const caller = callerFactory({ db: getDb(), auth: admin, locale: 'zh-CN', ip: null, userAgent: null });
	/** The admin's session, holding exactly `permissions` (not admin). */
	const holding = (permissions: Permission[]) =>
		callerFactory({ db: getDb(), auth: { ...admin, staff: { ...admin.staff, isAdmin: false }, permissions: new Set(permissions) }, locale: 'zh-CN', ip: null, userAgent: null });
	const refusal = (p: Promise<unknown>) =>
		p.then(
			() => null,
			(e: unknown) => (e instanceof TRPCError ? { code: e.code, message: e.message } : e)
		);

	it.each(['publicWithoutMeta', 'protectedWithoutMeta', 'mutationWithoutMeta'] as const)(
		'%s is FORBIDDEN even for the admin',
		async (name) => {
			const err = await caller[name]().then(
				() => null,
				(e: unknown) => e
			);
			expect(err).toBeInstanceOf(TRPCError);
			expect((err as TRPCError).code).toBe('FORBIDDEN');
			expect((err as TRPCError).message).toBe('error.forbidden');
		}
	);

	it('a procedure that declares its permission runs', async () => {
		expect(await caller.declared()).toBe('ok');
	});

	it('an any-of list: refused to someone holding none of them, allowed with either one', async () => {
		expect(await refusal(holding([]).anyOf())).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		expect(await refusal(holding(['withdrawals.read', 'flows.read', 'accounts.read']).anyOf())).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		expect(await holding(['payments.read']).anyOf()).toBe('ok');
		expect(await holding(['refunds.read']).anyOf()).toBe('ok');
		expect(await holding(['payments.read', 'refunds.read']).anyOf()).toBe('ok');
	});

	it('an empty any-of list lets no one through, not even the admin', async () => {
		expect(await refusal(caller.anyOfNothing())).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
	});
});
