import { verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '#db';
import { DEMO_MERCHANT_NO, isSeeded, SECOND_MERCHANT_NO, seedDemo } from '#seed/demo.ts';
import { DEMO_ADMIN_PASSWORD_DEFAULT, DEMO_ADMIN_PHONE_DEFAULT } from '#seed/staff.ts';
import { idCardCheckChar, luhnValid, unifiedCodeCheckChar } from '#seed/identity.ts';
import { checkInvariants } from '#shared/server/ledger/index.ts';
import { ROLE_PERMISSIONS } from '#shared/permissions.ts';
import { yesterday } from '#shared/time.ts';

const db = createDb(process.env.DATABASE_URL, 4);
const SMALL = { users: 20, days: 5, ordersPerDay: 60, secondUsers: 6, secondDays: 3, secondOrdersPerDay: 15 };

async function snapshot() {
	const r = await sql<{ t: string; n: string; s: string }>`
		SELECT 'payments' t, count(*)::text n, coalesce(sum(amount), 0)::text s FROM payments
		UNION ALL SELECT 'refunds', count(*)::text, coalesce(sum(amount), 0)::text FROM refunds
		UNION ALL SELECT 'withdrawals', count(*)::text, coalesce(sum(amount), 0)::text FROM withdrawals
		UNION ALL SELECT 'fund_flows', count(*)::text, coalesce(sum(amount), 0)::text FROM fund_flows
		UNION ALL SELECT 'users', count(*)::text, '0' FROM users
		UNION ALL SELECT 'staff', count(*)::text, '0' FROM staff`.execute(db);
	return r.rows;
}

beforeAll(async () => {
	const r = await seedDemo(db, SMALL);
	expect(r.seeded).toBe(true);
}, 240_000);

afterAll(async () => {
	await db.destroy();
});

describe('npm run seed (small)', () => {
	it('leaves the ledger consistent', async () => {
		expect(await checkInvariants(db)).toEqual([]);
	});

	it('creates both merchants, the admin with the demo password, roles and operators', async () => {
		const merchants = await db.selectFrom('merchants').select(['id', 'merchant_no', 'name']).orderBy('merchant_no').execute();
		expect(merchants.map((m) => [m.merchant_no, m.name])).toEqual([
			[DEMO_MERCHANT_NO, '测试商户号'],
			[SECOND_MERCHANT_NO, '示例商户二']
		]);
		const demoId = merchants[0].id;
		const admins = await db.selectFrom('staff').selectAll().where('is_admin', '=', true).execute();
		expect(admins).toHaveLength(2);
		for (const a of admins) {
			expect(a.phone).toBe(DEMO_ADMIN_PHONE_DEFAULT); // the same phone under two merchants
			expect(a.must_change_password).toBe(false);
			expect(await verify(a.password_hash, DEMO_ADMIN_PASSWORD_DEFAULT)).toBe(true);
		}
		const roles = await db.selectFrom('roles').select(['name', 'permissions']).where('merchant_id', '=', demoId).execute();
		const byName = Object.fromEntries(roles.map((r) => [r.name, r.permissions]));
		expect(Object.keys(byName).sort()).toEqual(['全权限', '查询', '财务'].sort());
		expect([...byName['全权限']].sort()).toEqual([...ROLE_PERMISSIONS].sort());
		expect(byName['财务']).toContain('statements.download');
		for (const perms of Object.values(byName)) expect(perms).toContain('settings.password');

		const operators = await db
			.selectFrom('staff')
			.innerJoin('staff_roles', 'staff_roles.staff_id', 'staff.id')
			.innerJoin('roles', 'roles.id', 'staff_roles.role_id')
			.select(['staff.name', 'staff.phone', 'staff.must_change_password', 'roles.name as role'])
			.where('staff.merchant_id', '=', demoId)
			.where('staff.is_admin', '=', false)
			.orderBy('staff.phone')
			.execute();
		expect(operators.map((o) => [o.phone, o.role, o.must_change_password])).toEqual([
			['13800000001', '财务', true],
			['13800000002', '查询', true]
		]);
		const sms = await db.selectFrom('sms_outbox').select(['phone', 'body', 'purpose', 'secret']).where('merchant_id', '=', demoId).orderBy('phone').execute();
		expect(sms.map((s) => [s.phone, s.purpose])).toEqual([
			[DEMO_ADMIN_PHONE_DEFAULT, 'INITIAL_PASSWORD'],
			['13800000001', 'INITIAL_PASSWORD'],
			['13800000002', 'INITIAL_PASSWORD']
		]);
		// The rows say a password was sent, never the password (the admin's was replaced by the demo one).
		expect(sms[0].body).toBe('【商户站】王管理, 您的商户站账号已开通, 商户号 2018062800003003, 初始密码 ******, 首次登录须修改密码。');
		for (const s of sms.slice(1)) expect(s.body).toMatch(/^【商户站】您的初始密码为 \*{6}, 商户号 2018062800003003/);
		expect(sms.map((s) => s.secret)).toEqual([null, null, null]);
	});

	it('opens both merchants as the platform does: through the ingest kind, audited as 平台开户', async () => {
		const opened = await db
			.selectFrom('audit_log')
			.innerJoin('merchants', 'merchants.id', 'audit_log.merchant_id')
			.select(['merchants.merchant_no', 'audit_log.action', 'audit_log.actor_name'])
			.where('audit_log.action', '=', 'merchants.open')
			.orderBy('merchants.merchant_no')
			.execute();
		expect(opened).toEqual([
			{ merchant_no: DEMO_MERCHANT_NO, action: 'merchants.open', actor_name: '平台' },
			{ merchant_no: SECOND_MERCHANT_NO, action: 'merchants.open', actor_name: '平台' }
		]);
	});

	it('writes realistic users: valid ID check characters and card numbers', async () => {
		const users = await db.selectFrom('users').select(['id_type', 'id_no', 'user_type']).execute();
		expect(users.some((u) => u.user_type === 'INNERUSER')).toBe(true);
		for (const u of users) {
			expect(u.id_no).toHaveLength(18);
			const check = u.id_type === 'ID_CARD' ? idCardCheckChar(u.id_no.slice(0, 17)) : unifiedCodeCheckChar(u.id_no.slice(0, 17));
			expect(u.id_no[17]).toBe(check);
		}
		const cards = await db.selectFrom('bank_cards').select(['card_no']).execute();
		expect(cards.length).toBeGreaterThanOrEqual(users.length);
		for (const c of cards) expect(luhnValid(c.card_no)).toBe(true);
		const accounts = await db.selectFrom('accounts').select(({ fn }) => fn.countAll<string>().as('n')).where('account_type', '=', 'USEROWN').executeTakeFirstOrThrow();
		expect(Number(accounts.n)).toBe(users.length * 2);
	});

	it('has every transaction type and status', async () => {
		const demo = await db.selectFrom('merchants').select('id').where('merchant_no', '=', DEMO_MERCHANT_NO).executeTakeFirstOrThrow();
		const distinct = async (table: 'payments' | 'refunds' | 'withdrawals', col: 'txn_type' | 'status') =>
			(await db.selectFrom(table).select(col).distinct().where('merchant_id', '=', demo.id).execute()).map((r) => (r as Record<string, string>)[col]).sort();
		expect(await distinct('payments', 'txn_type')).toEqual(
			['GENERAL_CONSUME', 'INNER_FUND_EXCHANGE', 'MCH_TOPUP', 'SECURED_CONFIRM', 'SECURED_CONSUME', 'USER_TOPUP'].sort()
		);
		expect(await distinct('payments', 'status')).toEqual(['TRADE_CANCEL', 'TRADE_CLOSE', 'TRADE_SUCCESS', 'TRADE_WAIT_PAY']);
		expect(await distinct('refunds', 'status')).toEqual(['TRADE_FAILURE', 'TRADE_PROCESSING', 'TRADE_SUCCESS']);
		expect(await distinct('withdrawals', 'txn_type')).toEqual(['ACCT_CASH_OUT', 'OUTER_FUND_EXCHANGE']);
		expect(await distinct('withdrawals', 'status')).toEqual(['TRADE_CANCEL', 'TRADE_CHECKING', 'TRADE_FAILURE', 'TRADE_PREPAID', 'TRADE_SUCCESS']);
		const flowTypes = (await db.selectFrom('fund_flows').select('txn_type').distinct().where('merchant_id', '=', demo.id).execute()).map((r) => r.txn_type);
		expect(flowTypes).toEqual(expect.arrayContaining(['DAILY_SETTLEMENT', 'REFUND', 'ACCT_CASH_OUT', 'OUTER_FUND_EXCHANGE', 'SECURED_CONFIRM', 'SERVICE_FEE']));
		// the fee and coupon accounts are funded and used, not just opened
		const used = await sql<{ coupons: string; fees: string }>`SELECT count(*) FILTER (WHERE coupon_amount > 0) AS coupons, count(*) FILTER (WHERE fee_amount > 0) AS fees FROM payments`.execute(db);
		expect(Number(used.rows[0].coupons)).toBeGreaterThan(0);
		expect(Number(used.rows[0].fees)).toBeGreaterThan(0);
		// partial refunds and partial guarantee confirmations both exist
		const partial = await db
			.selectFrom('payments')
			.select(({ fn }) => fn.countAll<string>().as('n'))
			.where('merchant_id', '=', demo.id)
			.where((eb) => eb.or([eb.and([eb('refunded_amount', '>', 0n), eb('refunded_amount', '<', eb.ref('amount'))]), eb.and([eb('confirmed_amount', '>', 0n), eb('confirmed_amount', '<', eb.ref('amount'))])]))
			.executeTakeFirstOrThrow();
		expect(Number(partial.n)).toBeGreaterThan(0);
	});

	it('has payments yesterday (Asia/Shanghai) and settled every past day', async () => {
		const demo = await db.selectFrom('merchants').select('id').where('merchant_no', '=', DEMO_MERCHANT_NO).executeTakeFirstOrThrow();
		const y = await db
			.selectFrom('payments')
			.select(({ fn }) => fn.countAll<string>().as('n'))
			.where('merchant_id', '=', demo.id)
			.where('accounting_date', '=', yesterday())
			.executeTakeFirstOrThrow();
		expect(Number(y.n)).toBeGreaterThan(0);
		const settled = await db.selectFrom('postings').select('posting_key').where('merchant_id', '=', demo.id).where('kind', '=', 'SETTLEMENT').execute();
		expect(settled.map((s) => s.posting_key)).toContain(`SETTLE:${demo.id}:${yesterday()}`);
		expect(settled).toHaveLength(SMALL.days - 1);
	});

	it('keeps the second merchant separate', async () => {
		const [a, b] = await db.selectFrom('merchants').select('id').orderBy('merchant_no').execute();
		const crossed = await sql<{ n: string }>`
			SELECT count(*)::text AS n FROM payments p JOIN users u ON u.id = p.user_id WHERE p.merchant_id <> u.merchant_id`.execute(db);
		expect(crossed.rows[0].n).toBe('0');
		const flows = await sql<{ n: string }>`
			SELECT count(*)::text AS n FROM fund_flows f JOIN accounts a ON a.id = f.account_id WHERE f.merchant_id <> a.merchant_id`.execute(db);
		expect(flows.rows[0].n).toBe('0');
		for (const m of [a, b]) expect(await checkInvariants(db, m.id)).toEqual([]);
		const secondUsers = await db.selectFrom('users').select('id').where('merchant_id', '=', b.id).execute();
		expect(secondUsers).toHaveLength(SMALL.secondUsers);
	});

	it('refuses a DEMO_ADMIN_PHONE that is an operator\'s phone, naming both, before writing anything', async () => {
		const before = await snapshot();
		process.env.DEMO_ADMIN_PHONE = '13800000001';
		try {
			await expect(seedDemo(db, { ...SMALL, reset: true })).rejects.toThrow(/DEMO_ADMIN_PHONE=13800000001 is the phone of the demo operator 张会计/);
		} finally {
			delete process.env.DEMO_ADMIN_PHONE;
		}
		expect(await snapshot()).toEqual(before);
		expect(await isSeeded(db)).toBe(true);
	});

	it('is re-runnable: a second run changes nothing', async () => {
		const before = await snapshot();
		expect(await isSeeded(db)).toBe(true);
		const r = await seedDemo(db, SMALL);
		expect(r.seeded).toBe(false);
		expect(await snapshot()).toEqual(before);
	});
});
