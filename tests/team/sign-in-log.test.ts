// 审计日志 → 登录记录: the admin sees every checked sign-in and 找回密码 step of their own
// merchant (failed ones with the reason, phones masked), never another merchant's; and the
// audit list counts at most 10,000 rows (a bounded count says "more than").
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { signIn } from '#shared/server/auth/sign-in.ts';
import { makeStaff, PASSWORD } from '../fixtures/merchant.ts';
import { outcome } from '../fixtures/outcome.ts';
import { adminWorld, operatorWith } from './helpers.ts';

const db = getDb();
const from = (ip: string) => ({ ip, userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/130.0' });

describe('audit.signIns', () => {
	it('shows this merchant’s attempts newest first, with person, masked phone, result and reason', async () => {
		const { caller, merchant } = await adminWorld(db);
		const other = await adminWorld(db, '别家商户');
		const op = await makeStaff(db, merchant.id, { name: '孙七', phone: '13912345678' });
		const stranger = await makeStaff(db, other.merchant.id, { name: '外人' });

		await signIn(db, { merchantNo: merchant.merchant_no, phone: op.phone, password: 'Wrong#Pass1' }, from('198.51.100.1'));
		await signIn(db, { merchantNo: merchant.merchant_no, phone: op.phone, password: PASSWORD }, from('198.51.100.1'));
		await signIn(db, { merchantNo: merchant.merchant_no, phone: '13000000009', password: 'guess' }, from('198.51.100.2'));
		await signIn(db, { merchantNo: other.merchant.merchant_no, phone: stranger.phone, password: 'Wrong#Pass1' }, from('198.51.100.3'));

		const all = await caller.audit.signIns({});
		expect(all.rows.map((r) => [r.staffName, r.phone, r.event, r.ok, r.reason, r.ip])).toEqual([
			[null, '130****0009', 'signIn', false, 'unknownPhone', '198.51.100.2'],
			['孙七', '139****5678', 'signIn', true, null, '198.51.100.1'],
			['孙七', '139****5678', 'signIn', false, 'badPassword', '198.51.100.1']
		]);
		expect(all.total).toEqual({ count: 3n, amount: null, capped: false });
		expect(all.rows[0].userAgent).toContain('Chrome/130.0');

		const failedOfOp = await caller.audit.signIns({ filter: { staffId: op.id, result: 'failed' } });
		expect(failedOfOp.rows.map((r) => r.reason)).toEqual(['badPassword']);
		expect((await caller.audit.signIns({ filter: { event: 'reset' } })).rows).toEqual([]);

		// another merchant's person reads as missing, not as an empty history
		expect(await outcome(caller.audit.signIns({ filter: { staffId: stranger.id } }))).toEqual({ code: 'NOT_FOUND', message: 'error.notFound' });
		expect(await outcome(caller.audit.signIns({ filter: { from: '2026-03-03', to: '2026-03-01' } }))).toEqual({ code: 'BAD_REQUEST', message: 'audit.rangeInverted' });
		expect(await outcome(caller.audit.signIns({ filter: { event: 'drop table' as 'reset' } }))).toMatchObject({ code: 'BAD_REQUEST' });
	});

	it('is the admin’s alone: an operator is refused, whatever roles they hold', async () => {
		const { merchant } = await adminWorld(db);
		const op = await operatorWith(db, merchant.id, ['settings.password', 'payments.read', 'flows.read']);
		await signIn(db, { merchantNo: merchant.merchant_no, phone: op.staff.phone, password: 'Wrong#Pass1' }, from('198.51.100.9'));
		expect(await outcome(op.caller.audit.signIns({}))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
	});
});

describe('bounded counts', () => {
	it('the audit list counts up to 10,000 and then says "more than"; a narrower filter counts exactly', async () => {
		const { caller, merchant, admin } = await adminWorld(db);
		await sql`
			INSERT INTO audit_log (merchant_id, staff_id, actor_name, action, detail, created_at)
			SELECT ${merchant.id}, ${admin.id}, '管理员', CASE WHEN g <= 10 THEN 'roles.create' ELSE 'exports.create' END, '{}'::jsonb,
			       timestamptz '2026-06-01 00:00:00+08' + g * interval '1 second'
			FROM generate_series(1, 10050) AS g`.execute(db);

		const all = await caller.audit.list({});
		expect(all.total).toEqual({ count: 10_000n, amount: null, capped: true });
		expect(all.rows).toHaveLength(20);

		const roles = await caller.audit.list({ filter: { action: 'roles' } });
		expect(roles.total).toEqual({ count: 10n, amount: null, capped: false });
	});
});
