// Merchants, accounts and fund flows written straight into the test database, keeping
// each account's balance equal to the sum of its flows (the ledger's invariant).
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.ts';
import type { AccountType, Direction, FlowTxnType, SubType } from '../../db/types.ts';
import { ALL_PERMISSIONS, type Permission } from '../../src/lib/permissions.ts';
import type { SessionContext } from '../../src/lib/server/auth/types.ts';
import type { Context } from '../../src/lib/server/api/context.ts';
import { signedAmount } from '../../src/lib/money.ts';
import { startOfBusinessDate } from '../../src/lib/time.ts';

let seq = 0;
const unique = () => `${Date.now()}${++seq}${randomBytes(3).toString('hex')}`;

export async function createMerchant(db: Db, name = '测试商户') {
	const merchantNo = `88${String(Date.now()).slice(-9)}${String(++seq).padStart(5, '0')}`;
	const m = await db
		.insertInto('merchants')
		.values({ merchant_no: merchantNo, name })
		.returning(['id', 'merchant_no', 'name'])
		.executeTakeFirstOrThrow();
	return { id: m.id, merchantNo: m.merchant_no, name: m.name };
}

export async function createAccount(
	db: Db,
	merchantId: bigint,
	accountType: AccountType,
	subType: SubType,
	userId: bigint | null = null
): Promise<bigint> {
	const r = await db
		.insertInto('accounts')
		.values({ merchant_id: merchantId, user_id: userId, account_type: accountType, sub_type: subType, account_no: `AC${unique()}` })
		.returning('id')
		.executeTakeFirstOrThrow();
	return r.id;
}

export async function createUser(db: Db, merchantId: bigint): Promise<bigint> {
	const r = await db
		.insertInto('users')
		.values({
			merchant_id: merchantId,
			user_no: `U${unique()}`,
			user_type: 'INNERUSER',
			phone: '17700005204',
			name: '张三',
			id_type: 'ID_CARD',
			id_no: '610500199001013634'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return r.id;
}

export interface FlowSpec {
	direction: Direction;
	amount: bigint;
	accountingDate: string;
	/** Defaults to noon of the accounting date, Asia/Shanghai. */
	createdAt?: Date;
	txnType?: FlowTxnType;
}

/** Posts one flow on one account and moves its balance by the signed amount. */
export async function postFlow(db: Db, merchantId: bigint, accountId: bigint, f: FlowSpec): Promise<void> {
	await db.transaction().execute(async (tx) => {
		const acct = await tx
			.selectFrom('accounts')
			.select(['account_type', 'sub_type', 'user_id', 'balance'])
			.where('id', '=', accountId)
			.forUpdate()
			.executeTakeFirstOrThrow();
		const balanceAfter = acct.balance + signedAmount(f.direction, f.amount);
		const key = unique();
		const posting = await tx
			.insertInto('postings')
			.values({ merchant_id: merchantId, posting_key: `P${key}`, kind: 'TEST' })
			.returning('id')
			.executeTakeFirstOrThrow();
		await tx
			.insertInto('fund_flows')
			.values({
				merchant_id: merchantId,
				posting_id: posting.id,
				flow_no: `F${key}`,
				account_id: accountId,
				account_type: acct.account_type,
				sub_type: acct.sub_type,
				user_id: acct.user_id,
				txn_type: f.txnType ?? 'MCH_TOPUP',
				direction: f.direction,
				amount: f.amount,
				balance_after: balanceAfter,
				accounting_date: f.accountingDate,
				order_kind: 'PAYMENT',
				order_no: `T${key}`,
				created_at: f.createdAt ?? new Date(startOfBusinessDate(f.accountingDate).getTime() + 12 * 3600_000)
			})
			.execute();
		await tx.updateTable('accounts').set({ balance: balanceAfter }).where('id', '=', accountId).execute();
	});
}

/** A tRPC context for a signed-in person holding exactly `permissions`. */
export function contextFor(
	db: Db,
	merchant: { id: bigint; merchantNo: string; name: string },
	permissions: readonly Permission[] = ALL_PERMISSIONS
): Context {
	const auth: SessionContext = {
		sessionId: `s${unique()}`,
		staff: {
			id: 1n,
			merchantId: merchant.id,
			merchantNo: merchant.merchantNo,
			merchantName: merchant.name,
			name: '测试员',
			phone: '13800000000',
			email: null,
			isAdmin: permissions === ALL_PERMISSIONS,
			mustChangePassword: false
		},
		permissions: new Set(permissions),
		expiresAt: new Date(Date.now() + 3600_000)
	};
	return { db, auth, locale: 'zh-CN', ip: null, userAgent: null };
}
