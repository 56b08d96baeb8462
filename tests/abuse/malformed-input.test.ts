// Malformed input answers a clear 4xx in the person's language (issue 9). One test per defect the
// hostile-input fuzz (fuzz-procedures.test.ts) found; each was a 500 before: Postgres refused the
// NUL byte or the out-of-range id the schema had let through.
import { getTRPCErrorShape, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { handle } from '../../src/hooks.server.ts';
import type { Locale } from '#shared/i18n/messages.ts';
import { appRouter, createCaller } from '#shared/server/api/root.ts';
import { GET as trpcGet } from '../../src/routes/api/trpc/[...trpc]/+server.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { callerFor, contextFor, sessionOf } from '../fixtures/context.ts';
import { makeRole, makeStaff } from '../fixtures/merchant.ts';
import { callPath } from '../fixtures/outcome.ts';
import { adminWorld } from '../team/helpers.ts';
import { requestEvent } from '../fixtures/request-event.ts';
import { readAnswer } from '#shared/trpc/transformer.ts';

const db = getDb();
const BAD_CHARACTERS = { 'zh-CN': '输入含有不允许的字符 (如控制字符), 请检查后重试', en: 'The input contains characters that are not allowed (such as control characters)' };
const BAD_ID = { 'zh-CN': '记录编号无效', en: 'Invalid record ID' };

let world: Awaited<ReturnType<typeof adminWorld>>;
beforeAll(async () => {
	world = await adminWorld(db, '畸形输入商户');
});

interface Answer {
	code: string;
	httpStatus: number;
	message: string;
	fieldErrors: Record<string, string> | null;
}

/** Calls a procedure by its dotted path as merchant A's admin and answers what the person reads (the formatted error), or 'ok'. */
async function answer(path: string, input: unknown, locale: Locale = 'zh-CN'): Promise<Answer | 'ok'> {
	const ctx = contextFor(db, world.auth, { locale });
	try {
		await callPath(createCaller(ctx), path, input);
		return 'ok';
	} catch (error) {
		if (!(error instanceof TRPCError)) throw error;
		const proc = (appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation' } }>)[path];
		const shape = getTRPCErrorShape({ config: appRouter._def._config, error, type: proc._def.type, path, input, ctx }) as {
			message: string;
			data: { httpStatus: number; fieldErrors: Record<string, string> | null };
		};
		return { code: error.code, httpStatus: shape.data.httpStatus, message: shape.message, fieldErrors: shape.data.fieldErrors };
	}
}

describe('text Postgres or a spreadsheet cannot hold is refused at the schema', () => {
	it('NUL in the payments 商户支付单号 filter answers BAD_REQUEST in Chinese and English', async () => {
		for (const locale of ['zh-CN', 'en'] as const) {
			expect(await answer('payments.list', { filter: { merchantOrderNo: 'PO2026\u0000' } }, locale)).toEqual({
				code: 'BAD_REQUEST',
				httpStatus: 400,
				message: BAD_CHARACTERS[locale],
				fieldErrors: { 'filter.merchantOrderNo': BAD_CHARACTERS[locale] }
			});
		}
	});

	it('…and over HTTP the person with the English cookie reads it in English (400, not 500)', async () => {
		const input = encodeURIComponent(JSON.stringify(superjson.serialize({ filter: { merchantOrderNo: 'PO2026\u0000' } })));
		const url = `http://localhost/api/trpc/payments.list?input=${input}`;
		const jar: Record<string, string> = { session: world.token, locale: 'en' };
		const event = requestEvent(url, { jar, params: { trpc: 'payments.list' } });
		const response = await handle({ event, resolve: (e) => trpcGet(e as never) });
		expect(response.status).toBe(400);
		const error = readAnswer<{ message: string; data: { code: string } }>((await response.json()).error);
		expect(error.message).toBe(BAD_CHARACTERS.en);
		expect(error.data.code).toBe('BAD_REQUEST');
	});

	it('NUL in any text filter of the five trade/user lists answers BAD_REQUEST naming the field (each was a 500)', async () => {
		const fields: Record<string, string[]> = {
			'payments.list': ['merchantOrderNo', 'userNo'],
			'refunds.list': ['refundNo', 'paymentMerchantOrderNo'],
			'withdrawals.list': ['merchantOrderNo', 'userNo', 'userPhone', 'cardNo'],
			'users.list': ['userNo', 'name', 'phone', 'idNo'],
			'flows.list': ['userNo']
		};
		for (const [path, names] of Object.entries(fields))
			for (const field of names)
				expect([path, field, await answer(path, { filter: { [field]: 'a\u0000b' } })]).toEqual([
					path,
					field,
					{ code: 'BAD_REQUEST', httpStatus: 400, message: BAD_CHARACTERS['zh-CN'], fieldErrors: { [`filter.${field}`]: BAD_CHARACTERS['zh-CN'] } }
				]);
	});

	it('U+FFFE, U+FFFF, lone surrogates and other control characters are refused; emoji, CJK extensions and surrounding blanks are not', async () => {
		for (const bad of ['\uFFFE', '\uFFFF', '\uD800', 'x\uDC00', '\u001b[0m', '\u0007', 'a\tb', 'a\nb'])
			expect([bad, await answer('payments.list', { filter: { merchantOrderNo: bad } })]).toEqual([bad, expect.objectContaining({ code: 'BAD_REQUEST', message: BAD_CHARACTERS['zh-CN'] })]);
		for (const fine of ['😀', '𠀀𠀁', ' PO2026 \n', "O'Brien", '100%_\\'])
			expect([fine, await answer('payments.list', { filter: { merchantOrderNo: fine } })]).toEqual([fine, 'ok']);
	});

	it('NUL in the audit action filter, role and operator names answers BAD_REQUEST and saves nothing', async () => {
		const rolesBefore = await db.selectFrom('roles').select('id').where('merchant_id', '=', world.merchant.id).execute();
		const staffBefore = await db.selectFrom('staff').select('id').where('merchant_id', '=', world.merchant.id).execute();
		const cases: [string, unknown, string][] = [
			['audit.list', { filter: { action: 'auth.\u0000' } }, 'filter.action'],
			['roles.list', { filter: { name: '财务\u0000' } }, 'filter.name'],
			['roles.create', { name: '财务\u0000', permissions: ['settings.password'] }, 'name'],
			['operators.list', { filter: { name: '张\u0000' } }, 'filter.name'],
			['operators.create', { name: '张\u0000三', phone: '13900000009', roleIds: [] }, 'name'],
			['settings.setColumns', { list: 'payments', columns: ['id\u0000'] }, 'columns.0']
		];
		for (const [path, input, field] of cases)
			expect([path, await answer(path, input)]).toEqual([path, expect.objectContaining({ code: 'BAD_REQUEST', fieldErrors: { [field]: BAD_CHARACTERS['zh-CN'] } })]);
		expect(await db.selectFrom('roles').select('id').where('merchant_id', '=', world.merchant.id).execute()).toEqual(rolesBefore);
		expect(await db.selectFrom('staff').select('id').where('merchant_id', '=', world.merchant.id).execute()).toEqual(staffBefore);
	});

	it('a lone surrogate in an export filter is refused and records no export (saving the filter as JSON was a 500)', async () => {
		const r = await answer('exports.create', { list: 'payments', format: 'CSV', filter: { userNo: '`131\uDFFF!0:7' } });
		expect(r).toEqual(expect.objectContaining({ code: 'BAD_REQUEST', httpStatus: 400, message: '筛选条件无效' }));
		expect(await db.selectFrom('exports').select('id').where('merchant_id', '=', world.merchant.id).execute()).toEqual([]);
	});

	it('passwords with a NUL are refused before any password is checked', async () => {
		const sameAgain = 'Fuzz#Pass\u00002026';
		expect(await answer('settings.changePassword', { oldPassword: 'x\u0000', newPassword: 'Fuzz#Pass2026', confirmPassword: 'Fuzz#Pass2026' })).toEqual(
			expect.objectContaining({ code: 'BAD_REQUEST', fieldErrors: expect.objectContaining({ oldPassword: BAD_CHARACTERS['zh-CN'] }) })
		);
		expect(await answer('settings.changePassword', { oldPassword: 'Right#Pass2026', newPassword: sameAgain, confirmPassword: sameAgain })).toEqual(
			expect.objectContaining({ code: 'BAD_REQUEST', fieldErrors: expect.objectContaining({ newPassword: BAD_CHARACTERS['zh-CN'] }) })
		);
		const anonymous = callerFor(db, null, { locale: 'en' });
		await expect(anonymous.auth.signIn({ merchantNo: world.merchant.merchant_no, phone: world.admin.phone, password: 'Right#Pass2026\u0000' })).rejects.toMatchObject({
			code: 'BAD_REQUEST',
			cause: { issues: [expect.objectContaining({ path: ['password'], message: 'error.badCharacters' })] }
		});
	});
});

describe('record ids must fit Postgres bigint', () => {
	const detail = [
		'payments.get',
		'refunds.get',
		'withdrawals.get',
		'flows.get',
		'users.get',
		'accounts.flow',
		'roles.get',
		'operators.get',
		'operators.unlock',
		'operators.resetPassword',
		'exports.get',
		'exports.retry',
		'keys.get',
		'keys.wechat.get',
		'keys.alipay.get'
	];

	it('an id beyond bigint, zero or negative answers BAD_REQUEST "invalid record ID" on every detail procedure; the largest bigint is NOT_FOUND', async () => {
		for (const path of detail) {
			for (const id of [2n ** 63n, 99999999999999999999n, 0n, -1n])
				expect([path, id, await answer(path, { id }, 'en')]).toEqual([path, id, { code: 'BAD_REQUEST', httpStatus: 400, message: BAD_ID.en, fieldErrors: { id: BAD_ID.en } }]);
			expect([path, await answer(path, { id: 2n ** 63n - 1n })]).toEqual([path, expect.objectContaining({ code: 'NOT_FOUND', message: '记录不存在' })]);
		}
		expect(await answer('payments.get', { id: 2n ** 63n })).toEqual(expect.objectContaining({ message: BAD_ID['zh-CN'] }));
	});

	it('ids as text ("1e5", " 1", "0x10", "99999999999999999999", 1.5) are refused, not coerced into another record', async () => {
		for (const path of ['exports.get', 'exports.retry', 'payments.get'])
			for (const id of ['1e5', ' 1', '0x10', '99999999999999999999', 1.5, Number.NaN])
				expect([path, id, await answer(path, { id })]).toEqual([path, id, expect.objectContaining({ code: 'BAD_REQUEST', message: BAD_ID['zh-CN'] })]);
	});

	it('an id beyond bigint in a list filter or a role list is BAD_REQUEST; in an export filter it filters nothing (a 19-digit role id was a 500)', async () => {
		expect(await answer('operators.list', { filter: { roleId: 2n ** 64n } })).toEqual(expect.objectContaining({ code: 'BAD_REQUEST', fieldErrors: { 'filter.roleId': BAD_ID['zh-CN'] } }));
		expect(await answer('audit.list', { filter: { staffId: -5n } })).toEqual(expect.objectContaining({ code: 'BAD_REQUEST', fieldErrors: { 'filter.staffId': BAD_ID['zh-CN'] } }));
		expect(await answer('operators.create', { name: '王五', phone: '13900000008', roleIds: [2n ** 63n] })).toEqual(
			expect.objectContaining({ code: 'BAD_REQUEST', fieldErrors: { 'roleIds.0': BAD_ID['zh-CN'] } })
		);
		// 导出 keeps the filter as JSON text: text that names no record filters nothing, as the list's URL does.
		const staff = await makeStaff(db, world.merchant.id, { name: '被导出' });
		await makeRole(db, world.merchant.id, ['settings.password'], { staffIds: [staff.id] });
		for (const [list, filter] of [
			['operators', { roleId: '9999999999999999999' }],
			['audit', { staffId: '9223372036854775808' }]
		] as const) {
			const exportCaller = callerFor(db, (await sessionOf(db, world.admin.id)).auth);
			const created = await exportCaller.exports.create({ list, format: 'CSV', filter });
			const row = await db.selectFrom('exports').select(['filter', 'rows_total']).where('id', '=', created.id).executeTakeFirstOrThrow();
			expect(row.filter).not.toHaveProperty(list === 'operators' ? 'roleId' : 'staffId');
		}
	});
});

describe('the statements calendar takes only real days', () => {
	it('a month that does not exist (2026-13, 2026-00, 0000-01) answers BAD_REQUEST, not 500', async () => {
		for (const month of ['2026-13', '2026-00', '0000-01', '2026-1', '2026-13\u0000'])
			expect([month, await answer('statements.month', { month })]).toEqual([month, expect.objectContaining({ code: 'BAD_REQUEST', httpStatus: 400 })]);
		expect(await answer('statements.month', { month: businessDate().slice(0, 7) })).toBe('ok');
	});

	it('a day that does not exist inside the statement window (the 31st of a 30-day month, 02-30) answers BAD_REQUEST, not 500', async () => {
		// A month of the last ten weeks with fewer than 31 days: its "31st" sorts inside the window.
		const today = businessDate();
		let missing = '';
		for (let back = 5; back < 70 && !missing; back++) {
			const month = addDays(today, -back).slice(0, 7);
			const [y, m] = month.split('-').map(Number);
			if (new Date(Date.UTC(y, m, 0)).getUTCDate() < 31 && `${month}-31` < addDays(today, -1)) missing = `${month}-31`;
		}
		expect(missing).not.toBe('');
		for (const date of [missing, `${today.slice(0, 4)}-02-30`])
			expect([date, await answer('statements.request', { date })]).toEqual([date, expect.objectContaining({ code: 'BAD_REQUEST', httpStatus: 400 })]);
		expect(await db.selectFrom('statements').select('id').where('merchant_id', '=', world.merchant.id).execute()).toEqual([]);
	});
});
