// Exports of the team lists (角色管理, 操作员, 审计日志) against the lists themselves: under a
// non-trivial filter the CSV's rows are every page of the list procedure, in its order, with the
// cells it shows (masked, labelled, formula-neutralised); the XLSX holds the same values; the
// list's permission is needed; another merchant's rows never appear, nor the merchant admin.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { seedDemo } from '#seed/demo.ts';
import { QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { auditActionText, auditDetailText, auditTargetText } from '#shared/audit-text.ts';
import { translate, type MessageKey } from '#shared/i18n/messages.ts';
import { ALL_PERMISSIONS, type Permission, type RolePermission } from '#shared/permissions.ts';
import type { AuditRow } from '#shared/schemas/audit.ts';
import type { OperatorRow } from '#shared/schemas/operators.ts';
import type { RoleRow } from '#shared/schemas/roles.ts';
import { createCaller } from '#shared/server/api/root.ts';
import { addDays, businessDate, formatDateTime, startOfBusinessDate } from '#shared/time.ts';
import { adminOf as adminSession, contextFor, signedInStaff } from '../fixtures/context.ts';
import { makeStaff } from '../fixtures/merchant.ts';
import { neutral, parseCsv } from '../fixtures/csv.ts';
import { exportAndBuild } from './helpers.ts';

const db = getDb();
const zh = (key: MessageKey) => translate('zh-CN', key);
type M = { id: bigint; merchantNo: string; name: string };
type Caller = ReturnType<typeof createCaller>;
let main: M;
let other: M;
let adminId: bigint;
let caller: Caller;
let otherCaller: Caller;

type ExportInput = Parameters<Caller['exports']['create']>[0];

/** Header and rows of a built CSV export. */
async function csvOf(c: Caller, input: Omit<ExportInput, 'format'>) {
	const { row, bytes } = await exportAndBuild(c, { ...input, format: 'CSV' });
	expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
	const [header, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
	return { header, rows, row, text: bytes.toString('utf8') };
}

/** Header and rows of a built XLSX export, every cell as text ('' for an empty one). */
async function xlsxOf(c: Caller, input: Omit<ExportInput, 'format'>) {
	const { bytes } = await exportAndBuild(c, { ...input, format: 'XLSX' });
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(bytes as unknown as ArrayBuffer);
	const ws = wb.worksheets[0];
	const width = ws.getRow(1).cellCount;
	const all: string[][] = [];
	for (let n = 1; n <= ws.rowCount; n++) {
		const r = ws.getRow(n);
		const cells: string[] = [];
		for (let i = 1; i <= width; i++) {
			const v = r.getCell(i).value;
			expect(v === null || v === undefined || typeof v === 'string', `row ${n} cell ${i}: ${typeof v}`).toBe(true);
			cells.push(v == null ? '' : String(v));
		}
		all.push(cells);
	}
	const [header, ...rows] = all;
	return { header, rows, title: ws.name };
}

/** Every page of a list, 10 rows a page (so the filters below span several pages). */
async function allPages<R>(list: (page: number) => Promise<{ rows: R[] }>): Promise<R[]> {
	const out: R[] = [];
	for (let page = 1; ; page++) {
		const p = await list(page);
		out.push(...p.rows);
		if (p.rows.length < 10) return out;
	}
}

async function adminOf(merchantId: bigint): Promise<bigint> {
	const s = await db.selectFrom('staff').select('id').where('merchant_id', '=', merchantId).where('is_admin', '=', true).executeTakeFirstOrThrow();
	return s.id;
}

/** A caller holding only these permissions, as a real staff member (exports name their requester). */
async function operatorCaller(permissions: Permission[]): Promise<Caller> {
	const staff = await makeStaff(db, main.id);
	return createCaller(contextFor(db, await signedInStaff(db, staff, permissions), { ip: null }));
}

/** Moves rows' created_at apart from their id order (with ties), so the order is really tested. */
async function shuffleCreatedAt(table: 'roles' | 'staff', ids: bigint[]) {
	const base = Date.now() - 5 * 86_400_000;
	for (const [i, id] of ids.entries()) {
		const at = new Date(base + ((i * 7) % 5) * 3_600_000);
		await db.updateTable(table).set({ created_at: at }).where('id', '=', id).execute();
	}
}

const PASSWORD_HASH = 'not-a-real-hash: these operators never sign in';

async function insertOperator(merchantId: bigint, o: { name: string; phone: string; email?: string | null; status?: 'ACTIVE' | 'DISABLED'; locked?: boolean; mustChange?: boolean }) {
	const s = await db
		.insertInto('staff')
		.values({
			merchant_id: merchantId,
			is_admin: false,
			name: o.name,
			phone: o.phone,
			email: o.email === undefined ? `op${o.phone.slice(-4)}@example.com` : o.email,
			password_hash: PASSWORD_HASH,
			status: o.status ?? 'ACTIVE',
			locked_until: o.locked ? new Date(Date.now() + 3600_000) : null,
			must_change_password: o.mustChange ?? false
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return s.id;
}

// The audit entries live on two past days, away from what the test itself writes to the log.
const auditDay = addDays(businessDate(), -20);
const at = (day: number, hh: number, mm = 0) => new Date(startOfBusinessDate(addDays(auditDay, day)).getTime() + (hh * 60 + mm) * 60_000);

beforeAll(async () => {
	const seeded = await seedDemo(db, { users: 4, days: 2, ordersPerDay: 2, secondUsers: 2, secondDays: 1, secondOrdersPerDay: 1 });
	const [a, b] = seeded.merchants;
	const m = await db.selectFrom('merchants').select(['id', 'merchant_no', 'name']).where('id', 'in', [a.id, b.id]).orderBy('id').execute();
	main = { id: m[0].id, merchantNo: m[0].merchant_no, name: m[0].name };
	other = { id: m[1].id, merchantNo: m[1].merchant_no, name: m[1].name };
	adminId = await adminOf(main.id);
	caller = createCaller(contextFor(db, await adminSession(db, main.id), { ip: null }));
	otherCaller = createCaller(contextFor(db, await adminSession(db, other.id), { ip: null }));
}, 600_000);

afterAll(async () => {
	await getQueue(QUEUES.EXPORTS).obliterate({ force: true }).catch(() => {});
	await closeQueues();
});

describe('角色管理 export', () => {
	let foreignRoleNames: string[];

	beforeAll(async () => {
		const permissions: RolePermission[] = ['payments.read', 'settings.password'];
		const names = [...Array.from({ length: 12 }, (_, i) => `导出角色${i + 1}`), '=导出公式', '导出,"引号"', '停用导出A', '停用导出B'];
		const ids: bigint[] = [];
		for (const name of names) ids.push((await caller.roles.create({ name, permissions })).id);
		for (const [i, name] of names.entries()) if (name.startsWith('停用')) await caller.roles.setStatus({ id: ids[i], status: 'DISABLED' });
		// Made outside the API: no 操作人.
		const direct = await db.insertInto('roles').values({ merchant_id: main.id, name: '直插导出', permissions: ['settings.password'] }).returning('id').executeTakeFirstOrThrow();
		ids.push(direct.id);
		await shuffleCreatedAt('roles', ids);
		// Holders, so 操作员数 is not always 0.
		const ops = await db.selectFrom('staff').select('id').where('merchant_id', '=', main.id).where('is_admin', '=', false).execute();
		for (const op of ops) await db.insertInto('staff_roles').values({ merchant_id: main.id, staff_id: op.id, role_id: ids[0] }).execute();
		expect(ops.length).toBeGreaterThan(0); // the demo's operators
		await db.insertInto('staff_roles').values({ merchant_id: main.id, staff_id: ops[0].id, role_id: ids[3] }).execute();
		foreignRoleNames = ['导出外商户角色1', '导出外商户角色2'];
		for (const name of foreignRoleNames) await otherCaller.roles.create({ name, permissions });
	});

	const filter = { name: '导出', status: 'ENABLED' } as const;
	const allColumns = ['id', 'name', 'status', 'createdAt', 'updatedAt', 'updatedBy', 'operatorCount'];
	const cells = (r: RoleRow) => [
		String(r.id),
		neutral(r.name),
		zh(`roles.status.${r.status}`),
		formatDateTime(r.createdAt),
		formatDateTime(r.updatedAt),
		neutral(r.updatedByName ?? ''),
		String(r.operatorCount)
	];

	it('CSV equals every page of roles.list under the filter, in its order, with its cells', async () => {
		const listed = await allPages((page) => caller.roles.list({ filter, page, pageSize: 10 }));
		expect(listed.length).toBeGreaterThan(10);
		// The shuffled creation times really differ from the id order.
		expect(listed.map((r) => r.id)).not.toEqual([...listed.map((r) => r.id)].sort((x, y) => (x > y ? -1 : 1)));
		const { header, rows, row, text } = await csvOf(caller, { list: 'roles', filter, columns: [...allColumns, 'actions'] });
		expect(header).toEqual(['roles.id', 'roles.name', 'roles.status', 'roles.createdAt', 'roles.updatedAt', 'roles.updatedBy', 'roles.operatorCount'].map((k) => zh(k as MessageKey)));
		expect(rows).toEqual(listed.map(cells));
		expect(row.rows_total).toBe(BigInt(listed.length));
		expect(rows.map((r) => r[1])).toContain("'=导出公式");
		expect(rows.map((r) => r[1])).toContain('导出,"引号"');
		expect(rows.some((r) => r[5] === '')).toBe(true);
		expect(rows.some((r) => r[6] !== '0')).toBe(true);
		for (const name of [...foreignRoleNames, '停用导出A']) expect(text).not.toContain(name);
	});

	it('XLSX holds the same values', async () => {
		const csv = await csvOf(caller, { list: 'roles', filter, columns: allColumns });
		const xlsx = await xlsxOf(caller, { list: 'roles', filter, columns: allColumns });
		expect(xlsx.title).toBe(zh('exports.list.roles'));
		expect(xlsx.header).toEqual(csv.header);
		expect(xlsx.rows).toEqual(csv.rows);
	});

	it("no columns asked: the person's saved column choice", async () => {
		await caller.settings.setColumns({ list: 'roles', columns: ['operatorCount', 'name', 'actions'] });
		try {
			const { header, rows } = await csvOf(caller, { list: 'roles', filter, columns: [] });
			expect(header).toEqual([zh('roles.name'), zh('roles.operatorCount')]);
			const listed = await allPages((page) => caller.roles.list({ filter, page, pageSize: 10 }));
			expect(rows).toEqual(listed.map((r) => [neutral(r.name), String(r.operatorCount)]));
		} finally {
			await db.deleteFrom('column_prefs').where('staff_id', '=', adminId).where('list_key', '=', 'roles').execute();
		}
		const { header } = await csvOf(caller, { list: 'roles', filter, columns: [] });
		expect(header).toHaveLength(6); // 操作员数 is hidden until chosen
	});

	it('another merchant exports only its own roles', async () => {
		const { rows } = await csvOf(otherCaller, { list: 'roles', filter: { name: '导出' }, columns: ['name'] });
		expect(rows.map((r) => r[0]).sort()).toEqual([...foreignRoleNames].sort());
	});
});

describe('操作员 export', () => {
	let roleA: bigint;
	let foreignRole: bigint;
	const foreignNames = ['外商户导出员甲', '外商户导出员乙'];

	beforeAll(async () => {
		roleA = (await caller.roles.create({ name: '操作员导出甲', permissions: ['settings.password'] })).id;
		const roleB = (await caller.roles.create({ name: '操作员导出乙', permissions: ['settings.password'] })).id;
		const ids: bigint[] = [];
		for (let i = 0; i < 14; i++) {
			const id = await insertOperator(main.id, {
				name: i === 3 ? '+导出公式' : i === 5 ? '导出,"逗号"' : `导出员${i}`,
				phone: `1380001${String(i).padStart(4, '0')}`,
				email: i % 4 === 0 ? null : undefined,
				status: i % 5 === 4 ? 'DISABLED' : 'ACTIVE',
				locked: i % 3 === 1,
				mustChange: i % 2 === 0
			});
			ids.push(id);
			const roles = i % 3 === 0 ? [] : i % 3 === 1 ? [roleA] : [roleA, roleB];
			for (const role_id of roles) await db.insertInto('staff_roles').values({ merchant_id: main.id, staff_id: id, role_id }).execute();
		}
		await shuffleCreatedAt('staff', ids);
		foreignRole = (await otherCaller.roles.create({ name: '外商户操作员角色', permissions: ['settings.password'] })).id;
		for (const [i, name] of foreignNames.entries()) {
			const id = await insertOperator(other.id, { name, phone: `1380001${String(i).padStart(4, '0')}` });
			await db.insertInto('staff_roles').values({ merchant_id: other.id, staff_id: id, role_id: foreignRole }).execute();
		}
	});

	const cells = (r: OperatorRow) => [
		neutral(r.name),
		r.phone,
		neutral(r.email ?? ''),
		zh(`operators.status.${r.status}`) + (r.locked ? `、${zh('operators.locked')}` : '') + (r.mustChangePassword ? `、${zh('operators.mustChange')}` : ''),
		neutral(r.roles.map((x) => x.name).join('、') || zh('operators.noRoles')),
		formatDateTime(r.createdAt)
	];
	const header = ['operators.name', 'operators.phone', 'operators.email', 'operators.status', 'operators.roles', 'operators.createdAt'].map((k) => zh(k as MessageKey));

	it('by phone and status: every page of operators.list, phones masked, never the admin', async () => {
		// 138000 is also in the admin's phone (13800000000) and in the other merchant's staff.
		const filter = { phone: '138000', status: 'ACTIVE' } as const;
		const listed = await allPages((page) => caller.operators.list({ filter, page, pageSize: 10 }));
		expect(listed.length).toBeGreaterThan(10);
		const csv = await csvOf(caller, { list: 'operators', filter: { ...filter, roleId: '' }, columns: [] });
		expect(csv.header).toEqual(header);
		expect(csv.rows).toEqual(listed.map(cells));
		expect(csv.row.rows_total).toBe(BigInt(listed.length));
		expect(csv.rows.every((r) => /^138\*{4}\d{4}$/.test(r[1]))).toBe(true);
		expect(csv.text).not.toMatch(/1380001\d{4}|13800000000/);
		expect(csv.rows.map((r) => r[0])).toContain("'+导出公式");
		expect(csv.rows.some((r) => r[3].includes(zh('operators.locked')))).toBe(true);
		expect(csv.rows.some((r) => r[4] === zh('operators.noRoles'))).toBe(true);
		const admin = await db.selectFrom('staff').select('name').where('id', '=', adminId).executeTakeFirstOrThrow();
		for (const name of [admin.name, ...foreignNames]) expect(csv.text).not.toContain(name);

		const xlsx = await xlsxOf(caller, { list: 'operators', filter, columns: [] });
		expect(xlsx.header).toEqual(header);
		expect(xlsx.rows).toEqual(csv.rows);
	});

	it('by role, the role id as the page sends it (text)', async () => {
		const listed = await allPages((page) => caller.operators.list({ filter: { roleId: roleA }, page, pageSize: 10 }));
		expect(listed.length).toBeGreaterThan(5);
		const csv = await csvOf(caller, { list: 'operators', filter: { name: '', phone: '', status: '', roleId: String(roleA) }, columns: [] });
		expect(csv.rows).toEqual(listed.map(cells));
		const xlsx = await xlsxOf(caller, { list: 'operators', filter: { roleId: String(roleA) }, columns: ['name', 'roles'] });
		expect(xlsx.rows).toEqual(csv.rows.map((r) => [r[0], r[4]]));
	});

	it("another merchant's role is NOT_FOUND, as in the list; another merchant sees only its own", async () => {
		await expect(caller.operators.list({ filter: { roleId: foreignRole } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(caller.exports.create({ list: 'operators', format: 'CSV', filter: { roleId: String(foreignRole) }, columns: [] })).rejects.toMatchObject({
			code: 'NOT_FOUND'
		});
		const { rows } = await csvOf(otherCaller, { list: 'operators', filter: { phone: '138000' }, columns: ['name'] });
		expect(rows.map((r) => r[0]).sort()).toEqual([...foreignNames].sort());
	});
});

describe('审计日志 export', () => {
	let operatorId: bigint;

	beforeAll(async () => {
		const op = await db.selectFrom('staff').select(['id', 'name']).where('merchant_id', '=', main.id).where('is_admin', '=', false).orderBy('id').executeTakeFirstOrThrow();
		operatorId = op.id;
		type Entry = { staffId: bigint | null; actor: string | null; action: string; target?: [string, string | null]; detail: Record<string, unknown>; at: Date; ip?: string | null };
		const entries: Entry[] = [
			{ staffId: adminId, actor: '王管理', action: 'operators.create', target: ['staff', '12'], detail: { before: null, after: { name: '新人', phone: '139****0000', roleIds: ['1', '2'] } }, at: at(0, 9) },
			{ staffId: adminId, actor: '王管理', action: 'operators.updateInfo', target: ['staff', '12'], detail: { before: { status: 'ACTIVE' }, after: { status: 'DISABLED' }, name: '新人' }, at: at(0, 9) },
			{ staffId: adminId, actor: '王管理', action: 'operators.updateRoles', target: ['staff', null], detail: { after: { roleIds: [] } }, at: at(0, 10, 30) },
			{ staffId: adminId, actor: '=王管理', action: 'operators.resetPassword', detail: { before: 'x, "y"', note: 'hidden beside before' }, at: at(0, 11) },
			{ staffId: operatorId, actor: op.name, action: 'operators.unlock', target: ['', '3'], detail: {}, at: at(0, 12), ip: null },
			{ staffId: operatorId, actor: op.name, action: 'operators.someday', detail: { n: 1.5, ok: true, nested: [1, { k: 'v, w', e: null }], 中文: '值', s: '逗号, 引号" 反斜杠\\ 换行\n 制表\t <&>' }, at: at(1, 8) },
			{ staffId: null, actor: null, action: 'operators.create', detail: { before: { a: 1 } }, at: at(1, 9) },
			{ staffId: operatorId, actor: op.name, action: 'auth.signIn', detail: {}, at: at(1, 9) },
			{ staffId: operatorId, actor: op.name, action: 'keys.wechat.update', target: ['key', '7'], detail: { before: { mchId: '1' }, after: { mchId: '2' } }, at: at(1, 10) },
			{ staffId: adminId, actor: '王管理', action: 'roles.create', detail: { before: null, after: { name: '财务' } }, at: at(1, 23, 59) },
			{ staffId: adminId, actor: '王管理', action: 'operators.create', detail: { late: true }, at: at(2, 0, 1) }
		];
		for (let i = 0; i < 8; i++)
			entries.push({ staffId: operatorId, actor: op.name, action: i % 2 ? 'operators.updateInfo' : 'auth.signOut', detail: { i }, at: at(0, 14 + i) });
		for (const e of entries)
			await db
				.insertInto('audit_log')
				.values({
					merchant_id: main.id,
					staff_id: e.staffId,
					actor_name: e.actor,
					action: e.action,
					target_type: e.target?.[0] ?? null,
					target_id: e.target?.[1] ?? null,
					detail: JSON.stringify(e.detail),
					ip: e.ip === undefined ? '203.0.113.9' : e.ip,
					user_agent: 'Mozilla/5.0 "test", <agent> & co',
					created_at: e.at
				})
				.execute();
		const otherAdmin = await adminOf(other.id);
		for (const h of [9, 10, 11])
			await db
				.insertInto('audit_log')
				.values({ merchant_id: other.id, staff_id: otherAdmin, actor_name: '外商户管理员', action: 'operators.create', detail: JSON.stringify({ secret: '外商户' }), created_at: at(0, h) })
				.execute();
	});

	const cells = (r: AuditRow) => [
		formatDateTime(r.createdAt),
		neutral(r.actorName ?? ''),
		auditActionText(zh, r.action),
		neutral(auditTargetText(r)),
		neutral(auditDetailText(zh, r.detail)),
		neutral(r.ip ?? ''),
		neutral(r.userAgent ?? '')
	];
	const columns = ['time', 'person', 'action', 'target', 'detail', 'ip', 'userAgent'];

	it('by category and a time range: every page of audit.list, with its action labels and detail text', async () => {
		// From 09:00 on the first day to the whole second day (to is inclusive).
		const filter = { staffId: '', action: 'operators', from: `${auditDay} 09:00:00`, to: addDays(auditDay, 1) };
		const listed = await allPages((page) => caller.audit.list({ filter: { action: filter.action, from: filter.from, to: filter.to }, page, pageSize: 10 }));
		expect(listed.length).toBeGreaterThan(10);
		const csv = await csvOf(caller, { list: 'audit', filter, columns });
		expect(csv.header).toEqual(['audit.time', 'audit.person', 'audit.action', 'audit.target', 'audit.detail', 'audit.ip', 'audit.userAgent'].map((k) => zh(k as MessageKey)));
		expect(csv.rows).toEqual(listed.map(cells));
		expect(csv.row.rows_total).toBe(BigInt(listed.length));
		expect(csv.rows.map((r) => r[2])).toContain(zh('audit.action.operators.create'));
		expect(csv.rows.map((r) => r[2])).toContain('operators.someday');
		expect(csv.rows.map((r) => r[1])).toContain("'=王管理");
		expect(csv.rows.some((r) => r[4].startsWith(`${zh('audit.before')}: `))).toBe(true);
		expect(csv.text).not.toContain('外商户');
		expect(csv.text).not.toContain('late');

		const xlsx = await xlsxOf(caller, { list: 'audit', filter, columns });
		expect(xlsx.header).toEqual(csv.header);
		expect(xlsx.rows).toEqual(csv.rows);
	});

	it('by person (the id as the page sends it), default columns', async () => {
		const filter = { staffId: String(operatorId), from: auditDay, to: addDays(auditDay, 1) };
		const listed = await allPages((page) => caller.audit.list({ filter: { ...filter, staffId: operatorId }, page, pageSize: 10 }));
		expect(listed.length).toBeGreaterThan(10);
		const csv = await csvOf(caller, { list: 'audit', filter, columns: [] });
		expect(csv.header).toHaveLength(6); // 浏览器 is hidden until chosen
		expect(csv.rows).toEqual(listed.map((r) => cells(r).slice(0, 6)));
	});

	it("refuses what the list refuses: another merchant's person, an inverted range", async () => {
		const foreign = await adminOf(other.id);
		await expect(caller.exports.create({ list: 'audit', format: 'CSV', filter: { staffId: String(foreign) }, columns: [] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(caller.exports.create({ list: 'audit', format: 'CSV', filter: { from: addDays(auditDay, 2), to: auditDay }, columns: [] })).rejects.toMatchObject({
			code: 'BAD_REQUEST',
			message: 'audit.rangeInverted'
		});
	});

	it('another merchant exports only its own log', async () => {
		const { rows } = await csvOf(otherCaller, { list: 'audit', filter: { from: auditDay, to: addDays(auditDay, 1) }, columns: ['person', 'detail'] });
		expect(rows).toEqual([2, 1, 0].map(() => ['外商户管理员', '{"secret":"外商户"}']));
	});
});

describe('permissions', () => {
	const cases: { list: 'roles' | 'operators' | 'audit'; needs: Permission }[] = [
		{ list: 'roles', needs: 'roles.manage' },
		{ list: 'operators', needs: 'operators.manage' },
		{ list: 'audit', needs: 'audit.read' }
	];

	for (const { list, needs } of cases)
		it(`${list}: FORBIDDEN without ${needs}, allowed with it`, async () => {
			const others = ALL_PERMISSIONS.filter((p) => p !== needs);
			const without = await operatorCaller(others);
			await expect(without.exports.create({ list, format: 'CSV', filter: {}, columns: [] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
			const withIt = await operatorCaller([needs]);
			expect((await withIt.exports.create({ list, format: 'XLSX', filter: {}, columns: [] })).id).toBeTypeOf('bigint');
		});
});
