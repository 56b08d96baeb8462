// The authorization matrix, generated from appRouter and the permission registry (issue 3):
// every procedure × {signed out, lacking its permission, pending initial password, another
// merchant's record}. tests/auth/procedures.test.ts covers the signed-out and pending-admin rows
// with no input; here every procedure also gets a real input, so the gate is shown to act before
// the work, and every id-taking procedure is tried with merchant B's record.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { getDb } from '#db';
import { seedDemo } from '#seed/demo.ts';
import { requiredAnyOf, ROLE_PERMISSIONS } from '#shared/permissions.ts';
import type { Meta } from '#shared/server/api/init.ts';
import { appRouter } from '#shared/server/api/root.ts';
import { callerFor, sessionOf, type Caller } from '../fixtures/context.ts';
import { makeRole, makeStaff } from '../fixtures/merchant.ts';
import { callPath, outcome, type Outcome } from '../fixtures/outcome.ts';
import { TABLE_BY_ROUTER } from '../fixtures/tables.ts';

const db = getDb();
type Proc = { _def: { meta?: Meta; inputs: ZodType[]; type: string } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Proc>).sort(([a], [b]) => a.localeCompare(b));

// --- reading zod schemas (zod 4 keeps the structure in _zod.def) -------------------------------
interface Def {
	type: string;
	innerType?: ZodType;
	in?: ZodType;
	shape?: Record<string, ZodType>;
	element?: ZodType;
	entries?: Record<string, string>;
	values?: unknown[];
}
const defOf = (s: ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional/default/prefault/nullable/transform wrappers, and whether it may be left out. */
function unwrap(s: ZodType): { core: ZodType; optional: boolean } {
	let optional = false;
	for (;;) {
		const d = defOf(s);
		if (['optional', 'default', 'prefault', 'nullable'].includes(d.type)) optional = true;
		if (d.innerType) s = d.innerType;
		else if (d.type === 'pipe' && d.in) s = d.in;
		else return { core: s, optional };
	}
}

type IdKind = 'scalar' | 'array';
const idKind = (key: string): IdKind | null => (key === 'id' || /Id$/.test(key) ? 'scalar' : /Ids$/.test(key) ? 'array' : null);

/** Dotted paths of the id fields an input schema takes (top level and one object level down, e.g. filter.roleId). */
function idFields(schema: ZodType | undefined, prefix = ''): { path: string; key: string; kind: IdKind }[] {
	if (!schema) return [];
	const { core } = unwrap(schema);
	const d = defOf(core);
	if (d.type !== 'object' || !d.shape) return [];
	const out: { path: string; key: string; kind: IdKind }[] = [];
	for (const [key, value] of Object.entries(d.shape)) {
		const kind = idKind(key);
		// Record ids are bigint; a text field named like one (keys' mchId, the WeChat merchant number) is not.
		const inner = unwrap(value).core;
		const core = kind === 'array' && defOf(inner).element ? unwrap(defOf(inner).element!).core : inner;
		if (kind && defOf(core).type === 'bigint') out.push({ path: prefix + key, key, kind });
		else if (!prefix) out.push(...idFields(value, `${key}.`));
	}
	return out;
}

/** A minimal valid-looking value for a required field; ids come from `ids`. */
function build(schema: ZodType, ids: Map<string, bigint>, prefix = ''): unknown {
	const { core } = unwrap(schema);
	const d = defOf(core);
	switch (d.type) {
		case 'object': {
			const out: Record<string, unknown> = {};
			for (const [key, value] of Object.entries(d.shape ?? {})) {
				const path = prefix + key;
				const id = ids.get(path);
				if (id !== undefined) out[key] = idKind(key) === 'array' ? [id] : id;
				else if (!unwrap(value).optional) out[key] = build(value, ids, `${path}.`);
				else if (idFields(value).some((f) => ids.has(`${path}.${f.path}`))) out[key] = build(value, ids, `${path}.`);
			}
			return out;
		}
		case 'string':
			return 'x';
		case 'number':
			return 1;
		case 'bigint':
			return 1n;
		case 'boolean':
			return false;
		case 'array':
			return [];
		case 'enum':
			return Object.values(d.entries ?? {})[0];
		case 'literal':
			return d.values?.[0];
		default:
			return undefined;
	}
}

/** Field values some procedures need to pass validation before they look the record up. */
const VALID_EXTRAS: Record<string, Record<string, unknown>> = {
	'roles.update': { name: '越权', permissions: ['settings.password'] },
	'operators.create': { name: '越权', phone: '13900000001' }
};

// --- which table an id names -----------------------------------------------------------------
const TABLE_BY_FIELD: Record<string, string> = { roleId: 'roles', roleIds: 'roles', staffId: 'staff', paymentId: 'payments', userId: 'users' };
function tableFor(procPath: string, key: string): string | undefined {
	return TABLE_BY_FIELD[key] ?? TABLE_BY_ROUTER[procPath.split('.')[0]];
}

let merchantA: bigint;
let merchantB: bigint;
const foreign = new Map<string, bigint>();

/** One record of merchant B in `table` (made when the demo seed has none: operators, keys, exports). */
async function foreignRecord(table: string): Promise<bigint> {
	const cached = foreign.get(table);
	if (cached !== undefined) return cached;
	let q = db.selectFrom(table as 'roles').select('id').where('merchant_id', '=', merchantB);
	if (table === 'staff') q = (q as never as typeof q).where('is_admin' as never, '=', false as never);
	let id = (await q.orderBy('id').executeTakeFirst())?.id;
	if (id === undefined) {
		if (table === 'staff') id = (await makeStaff(db, merchantB, { name: 'B的操作员' })).id;
		else if (table === 'roles') id = (await makeRole(db, merchantB, ['settings.password'], { name: 'B的角色' })).id;
		else if (table === 'payment_keys')
			id = (
				await db
					.insertInto('payment_keys')
					.values({ merchant_id: merchantB, provider: 'WECHAT', external_id: '1900000109', appid: 'wx0123456789abcdef', sign_type: 'RSA2', public_fields: {}, secret_fields: {}, fingerprints: {} })
					.returning('id')
					.executeTakeFirstOrThrow()
			).id;
		else if (table === 'exports') {
			const staffId = (await db.selectFrom('staff').select('id').where('merchant_id', '=', merchantB).executeTakeFirstOrThrow()).id;
			id = (
				await db
					.insertInto('exports')
					.values({ merchant_id: merchantB, staff_id: staffId, list_key: 'payments', format: 'CSV', columns: ['id'], filter: {} })
					.returning('id')
					.executeTakeFirstOrThrow()
			).id;
		} else if (table === 'statements')
			id = (await db.insertInto('statements').values({ merchant_id: merchantB, accounting_date: '2026-01-01' }).returning('id').executeTakeFirstOrThrow()).id;
		else throw new Error(`no record maker for table ${table}`);
	}
	foreign.set(table, id);
	return id;
}

async function signedInCaller(staffId: bigint) {
	return callerFor(db, (await sessionOf(db, staffId)).auth);
}

/** An input that passes validation: built from the schema, ids of merchant A's own first records. */
function sampleInput(path: string, proc: Proc): unknown {
	const schema = proc._def.inputs[0];
	if (!schema) return undefined;
	return { ...(build(schema, new Map()) as object), ...VALID_EXTRAS[path] };
}

beforeAll(async () => {
	const seeded = await seedDemo(db, { users: 4, days: 2, ordersPerDay: 6, secondUsers: 3, secondDays: 2, secondOrdersPerDay: 6, now: new Date() });
	merchantA = seeded.merchants[0].id;
	merchantB = seeded.merchants[1].id;
}, 120_000);

describe('authorization matrix (generated from appRouter and the registry)', () => {
	it('an operator holding every role permission except the procedure’s own is FORBIDDEN', async () => {
		const callers = new Map<string, Caller>();
		const wrong: string[] = [];
		let checked = 0;
		for (const [path, proc] of procedures) {
			const permission = proc._def.meta?.permission;
			const anyOf = permission && requiredAnyOf(permission);
			if (!anyOf) continue;
			// An any-of list: missing every one of them.
			let caller = callers.get(anyOf.join());
			if (!caller) {
				const staff = await makeStaff(db, merchantA, { name: '缺一' });
				await makeRole(db, merchantA, ROLE_PERMISSIONS.filter((p) => !anyOf.includes(p)), { staffIds: [staff.id] });
				caller = await signedInCaller(staff.id);
				callers.set(anyOf.join(), caller);
			}
			const r = await outcome(callPath(caller, path, sampleInput(path, proc)));
			if (r === 'ok' || r.code !== 'FORBIDDEN' || r.message !== 'error.forbidden') wrong.push(`${path} (${permission}): ${JSON.stringify(r)}`);
			else checked++;
		}
		expect(wrong).toEqual([]);
		expect(checked).toBeGreaterThanOrEqual(15); // roles ×5, operators ×7, audit ×2, accounts ×2, …
	});

	it('…and holding just that permission lets the same call through the gate', async () => {
		const wrong: string[] = [];
		for (const [path, proc] of procedures) {
			const permission = proc._def.meta?.permission;
			const anyOf = permission && requiredAnyOf(permission);
			if (!anyOf) continue;
			// An any-of list: each one of them alone.
			for (const one of anyOf) {
				if (!(ROLE_PERMISSIONS as string[]).includes(one)) continue; // admin-only: no role may grant it
				const staff = await makeStaff(db, merchantA, { name: '单权' });
				await makeRole(db, merchantA, [one, 'settings.password'], { staffIds: [staff.id] });
				const r = await outcome(callPath(await signedInCaller(staff.id), path, sampleInput(path, proc)));
				if (r !== 'ok' && (r.code === 'FORBIDDEN' || r.code === 'UNAUTHORIZED')) wrong.push(`${path} (${one}): ${JSON.stringify(r)}`);
			}
		}
		expect(wrong).toEqual([]);
	});

	it('signed out: every non-public procedure is UNAUTHORIZED, with a valid input too', async () => {
		const caller = callerFor(db, null);
		const wrong: string[] = [];
		for (const [path, proc] of procedures) {
			if (proc._def.meta?.permission === 'public') continue;
			const r = await outcome(callPath(caller, path, sampleInput(path, proc)));
			if (r === 'ok' || r.code !== 'UNAUTHORIZED') wrong.push(`${path}: ${JSON.stringify(r)}`);
		}
		expect(wrong).toEqual([]);
	});

	it('an operator who must still change the initial password: only the allowPendingPasswordChange procedures', async () => {
		const staff = await makeStaff(db, merchantA, { name: '新人', mustChangePassword: true });
		await makeRole(db, merchantA, [...ROLE_PERMISSIONS], { staffIds: [staff.id] });
		const caller = await signedInCaller(staff.id);
		const wrong: string[] = [];
		for (const [path, proc] of procedures) {
			const meta = proc._def.meta;
			if (meta?.permission === 'public' || meta?.allowPendingPasswordChange) continue;
			const r = await outcome(callPath(caller, path, sampleInput(path, proc)));
			if (r === 'ok' || r.code !== 'FORBIDDEN' || r.message !== 'error.mustChangePassword') wrong.push(`${path}: ${JSON.stringify(r)}`);
		}
		expect(wrong).toEqual([]);
		expect((await caller.auth.me()).mustChangePassword).toBe(true);
	});

	it("merchant A's admin naming merchant B's record gets NOT_FOUND, for every procedure taking an id", async () => {
		const admin = await db.selectFrom('staff').select('id').where('merchant_id', '=', merchantA).where('is_admin', '=', true).executeTakeFirstOrThrow();
		const caller = await signedInCaller(admin.id);
		const results: Record<string, Outcome> = {};
		const unknown: string[] = [];
		for (const [path, proc] of procedures) {
			const schema = proc._def.inputs[0];
			for (const field of idFields(schema)) {
				const table = tableFor(path, field.key);
				if (!table) {
					unknown.push(`${path}: ${field.path}`);
					continue;
				}
				const ids = new Map([[field.path, await foreignRecord(table)]]);
				const input = { ...(build(schema!, ids) as object), ...VALID_EXTRAS[path] };
				results[`${path} ${field.path}`] = await outcome(callPath(caller, path, input));
			}
		}
		expect(unknown).toEqual([]);
		const notFound = Object.fromEntries(Object.keys(results).map((k) => [k, { code: 'NOT_FOUND', message: 'error.notFound' }]));
		expect(results).toEqual(notFound);
		// the ones this issue owns are certainly among them
		for (const k of [
			'roles.get id',
			'roles.update id',
			'roles.setStatus id',
			'operators.get id',
			'operators.create roleIds',
			'operators.updateInfo id',
			'operators.updateRoles id',
			'operators.updateRoles roleIds',
			'operators.resetPassword id',
			'operators.unlock id',
			'operators.list filter.roleId',
			'audit.list filter.staffId'
		])
			expect(Object.keys(results)).toContain(k);
	});
});
