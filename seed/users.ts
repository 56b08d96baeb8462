// End users of a merchant with their cards and USEROWN accounts.
import type { Faker } from '@faker-js/faker';
import type { Insertable, Kysely } from 'kysely';
import type { DB, UsersTable, UserStatus, UserType } from '#db/types.ts';
import { accountNo } from '#shared/server/ledger/index.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { bankCard, idCardNo, OCCUPATIONS, phone, unifiedCode, type CardData } from './identity.ts';
import type { Rng } from './rng.ts';

export interface SeededUser {
	id: bigint;
	userNo: string;
	name: string;
	type: UserType;
	status: UserStatus;
	registeredAt: Date;
	/** Bound cards only: the ones money may go to. */
	cards: { cardNo: string; bankName: string; cardType: 'DEBIT' | 'CREDIT' }[];
}

const HOUR = 3_600_000;
/** Rows per INSERT: well under Postgres's 65,535 bind parameters for any of these tables. */
const CHUNK = 2_000;

function chunks<T>(rows: T[]): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
	return out;
}
const DAY = 24 * HOUR;

/**
 * Inserts `count` users registered over the `days` before `now` (most of them early, so
 * history has someone to pay), each with 1–2 bound cards and an opened USEROWN account:
 * drawn one by one, written in three statements.
 */
export async function seedUsers(
	db: Kysely<DB>,
	rng: Rng,
	faker: Faker,
	opts: { merchantId: bigint; count: number; days: number; now: Date; userNoPrefix: string }
): Promise<SeededUser[]> {
	if (opts.count === 0) return [];
	const users: (Insertable<UsersTable> & { user_no: string; registered_at: Date; phone: string })[] = [];
	const cards: { user: number; card: CardData; status: 'BOUND' | 'UNBOUND'; boundAt: Date; reservedPhone: string }[] = [];
	for (let i = 0; i < opts.count; i++) {
		const company = rng.chance(0.12);
		const type: UserType = company ? 'INNERCOMPANY' : 'INNERUSER';
		const status = rng.weighted<UserStatus>([
			['NORMAL', 90],
			['ACTIVATE_PENDING', 3],
			['CHECK_PENDING', 3],
			['PAUSE', 2],
			['CANCEL', 2]
		]);
		// Skewed towards the start of the range: a quarter of users arrive in the first days.
		const ageDays = i < opts.count / 4 ? opts.days - rng.next() * 3 : rng.next() * opts.days;
		const registeredAt = new Date(opts.now.getTime() - Math.floor(ageDays * DAY) - rng.int(0, HOUR));
		const name = company ? faker.company.name() : faker.person.fullName();
		const userNo = `${opts.userNoPrefix}${String(i + 1).padStart(8, '0')}`;
		const idExpiry = addDays(businessDate(registeredAt), rng.int(365, 20 * 365));
		const userPhone = phone(rng);
		users.push({
			merchant_id: opts.merchantId,
			user_no: userNo,
			user_type: type,
			status,
			phone: userPhone,
			name,
			id_type: company ? 'UNIFIED_CODE' : 'ID_CARD',
			id_no: company ? unifiedCode(rng) : idCardNo(rng),
			id_expiry: idExpiry,
			occupation: company ? null : rng.pick(OCCUPATIONS),
			registered_at: registeredAt,
			created_at: registeredAt
		});
		const drawn = Array.from({ length: rng.chance(0.3) ? 2 : 1 }, () => bankCard(rng));
		const unique = [...new Map(drawn.map((c) => [c.cardNo, c])).values()];
		for (const [k, c] of unique.entries()) {
			// the first card stays bound so every user has somewhere to withdraw to
			const cardStatus = k > 0 && rng.chance(0.3) ? 'UNBOUND' : 'BOUND';
			const boundAt = new Date(registeredAt.getTime() + (k + 1) * rng.int(60_000, HOUR));
			cards.push({ user: i, card: c, status: cardStatus, boundAt, reservedPhone: rng.chance(0.8) ? userPhone : phone(rng) });
		}
	}
	const merchant = await db.selectFrom('merchants').select('merchant_no').where('id', '=', opts.merchantId).executeTakeFirstOrThrow();
	const idOf = new Map<string, bigint>();
	for (const part of chunks(users)) for (const u of await db.insertInto('users').values(part).returning(['id', 'user_no']).execute()) idOf.set(u.user_no, u.id);
	// The accounts openUserAccount opens, with its account numbers, for every user at once.
	const accounts = users.flatMap((u) =>
		(['PSETTLE', 'AVAILABLE'] as const).map((sub) => ({
			merchant_id: opts.merchantId,
			user_id: idOf.get(u.user_no)!,
			account_no: accountNo(merchant.merchant_no, 'USEROWN', sub, u.user_no),
			account_type: 'USEROWN' as const,
			sub_type: sub
		}))
	);
	for (const part of chunks(accounts)) await db.insertInto('accounts').values(part).execute();
	const cardRows = cards.map(({ user, card, status, boundAt, reservedPhone }) => ({
		merchant_id: opts.merchantId,
		user_id: idOf.get(users[user].user_no)!,
		card_no: card.cardNo,
		card_type: card.cardType,
		bank_name: card.bankName,
		reserved_phone: reservedPhone,
		status,
		bound_at: boundAt,
		updated_at: boundAt
	}));
	for (const part of chunks(cardRows)) await db.insertInto('bank_cards').values(part).execute();
	return users.map((u, i) => ({
		id: idOf.get(u.user_no)!,
		userNo: u.user_no,
		name: u.name as string,
		type: u.user_type as UserType,
		status: u.status as UserStatus,
		registeredAt: u.registered_at,
		cards: cards.filter((c) => c.user === i && c.status === 'BOUND').map((c) => c.card)
	}));
}
