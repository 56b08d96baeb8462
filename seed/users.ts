// End users of a merchant with their cards and USEROWN accounts.
import type { Faker } from '@faker-js/faker';
import type { Kysely } from 'kysely';
import type { DB, UserStatus, UserType } from '#db/types.ts';
import { openUserAccount } from '#shared/server/ledger/index.ts';
import { addDays, businessDate } from '#shared/time.ts';
import { bankCard, idCardNo, OCCUPATIONS, phone, unifiedCode } from './identity.ts';
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
const DAY = 24 * HOUR;

/**
 * Inserts `count` users registered over the `days` before `now` (most of them early, so
 * history has someone to pay), each with 1–2 bound cards and an opened USEROWN account.
 */
export async function seedUsers(
	db: Kysely<DB>,
	rng: Rng,
	faker: Faker,
	opts: { merchantId: bigint; count: number; days: number; now: Date; userNoPrefix: string }
): Promise<SeededUser[]> {
	const out: SeededUser[] = [];
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
		const row = await db
			.insertInto('users')
			.values({
				merchant_id: opts.merchantId,
				user_no: userNo,
				user_type: type,
				status,
				phone: phone(rng),
				name,
				id_type: company ? 'UNIFIED_CODE' : 'ID_CARD',
				id_no: company ? unifiedCode(rng) : idCardNo(rng),
				id_expiry: idExpiry,
				occupation: company ? null : rng.pick(OCCUPATIONS),
				registered_at: registeredAt,
				created_at: registeredAt
			})
			.returning(['id', 'phone'])
			.executeTakeFirstOrThrow();
		await openUserAccount(db, opts.merchantId, row.id);
		const cards = Array.from({ length: rng.chance(0.3) ? 2 : 1 }, () => bankCard(rng));
		const unique = [...new Map(cards.map((c) => [c.cardNo, c])).values()];
		const bound: SeededUser['cards'] = [];
		for (const [k, c] of unique.entries()) {
			// the first card stays bound so every user has somewhere to withdraw to
			const status = k > 0 && rng.chance(0.3) ? 'UNBOUND' : 'BOUND';
			if (status === 'BOUND') bound.push(c);
			const boundAt = new Date(registeredAt.getTime() + (k + 1) * rng.int(60_000, HOUR));
			await db
				.insertInto('bank_cards')
				.values({
					merchant_id: opts.merchantId,
					user_id: row.id,
					card_no: c.cardNo,
					card_type: c.cardType,
					bank_name: c.bankName,
					reserved_phone: rng.chance(0.8) ? row.phone : phone(rng),
					status,
					bound_at: boundAt,
					updated_at: boundAt
				})
				.execute();
		}
		out.push({ id: row.id, userNo, name, type, status, registeredAt, cards: bound });
	}
	return out;
}
