// 用户管理: the user search and the user detail, masked.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '#db/types.ts';
import type { ListPage, PageSize } from '#shared/schemas/lists.ts';
import type { UserDetail, UserFilter, UserRow } from '#shared/schemas/users.ts';
import { and, runList, type ListSource } from './engine.ts';
import { rangeOrThrow } from './errors.ts';
import { maskCardNo, maskIdNo, maskName, maskPhone } from '../mask.ts';

export function userSource(merchantId: bigint, f: UserFilter): ListSource {
	const where: RawBuilder<unknown>[] = [sql`merchant_id = ${merchantId}`];
	if (f.userNo) where.push(sql`user_no = ${f.userNo}`);
	if (f.name) where.push(sql`name = ${f.name}`);
	if (f.phone) where.push(sql`phone = ${f.phone}`);
	if (f.userType) where.push(sql`user_type = ${f.userType}`);
	if (f.status) where.push(sql`status = ${f.status}`);
	if (f.idType) where.push(sql`id_type = ${f.idType}`);
	if (f.idNo) where.push(sql`id_no = ${f.idNo}`);
	return { table: 'users', timeColumn: 'registered_at', where: and(where), amountColumn: null, rollup: null };
}

const ROW = sql.raw('id, user_no, name, phone, user_type, status, id_type, id_no, registered_at');
type RawRow = { id: bigint; user_no: string; name: string; phone: string; user_type: string; status: string; id_type: string; id_no: string; registered_at: Date };

function userRow(x: RawRow): UserRow {
	return {
		id: x.id,
		userNo: x.user_no,
		name: maskName(x.name),
		phone: maskPhone(x.phone),
		userType: x.user_type,
		status: x.status,
		idType: x.id_type,
		idNo: maskIdNo(x.id_no),
		registeredAt: x.registered_at
	};
}

export async function listUsers(
	db: Kysely<DB>,
	merchantId: bigint,
	input: { filter: UserFilter; page: number; pageSize: PageSize }
): Promise<ListPage<UserRow>> {
	const range = rangeOrThrow(input.filter.from, input.filter.to, {});
	const r = await runList<RawRow>(db, userSource(merchantId, input.filter), range, input.page, input.pageSize, ROW);
	return { rows: r.rows.map(userRow), total: { count: r.count, amount: null }, page: input.page, pageSize: input.pageSize };
}

export async function getUser(db: Kysely<DB>, merchantId: bigint, id: bigint): Promise<UserDetail | null> {
	const u = await db.selectFrom('users').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).executeTakeFirst();
	if (!u) return null;
	const [accounts, cards] = await Promise.all([
		db
			.selectFrom('accounts')
			.select(['sub_type', 'balance'])
			.where('merchant_id', '=', merchantId)
			.where('user_id', '=', u.id)
			.where('account_type', '=', 'USEROWN')
			.execute(),
		db
			.selectFrom('bank_cards')
			.selectAll()
			.where('merchant_id', '=', merchantId)
			.where('user_id', '=', u.id)
			.orderBy('bound_at', 'desc')
			.orderBy('id', 'desc')
			.execute()
	]);
	const psettle = accounts.find((a) => a.sub_type === 'PSETTLE')?.balance ?? 0n;
	const available = accounts.find((a) => a.sub_type === 'AVAILABLE')?.balance ?? 0n;
	return {
		...userRow(u as RawRow),
		idExpiry: u.id_expiry,
		occupation: u.occupation,
		createdAt: u.created_at,
		account: { total: psettle + available, psettle, available },
		cards: cards.map((c) => ({
			id: c.id,
			cardNo: maskCardNo(c.card_no),
			cardType: c.card_type,
			bankName: c.bank_name,
			reservedPhone: maskPhone(c.reserved_phone),
			status: c.status,
			boundAt: c.bound_at,
			updatedAt: c.updated_at
		}))
	};
}
