import { sql, type Selectable, type Transaction } from 'kysely';
import type { DB, FlowTxnType, FundFlowsTable, OrderKind } from '#db/types.ts';
import { lockAccounts, refKey, type LockedAccount } from './accounts.ts';
import { closedThrough } from './close.ts';
import { isUniqueViolation, LedgerError } from './errors.ts';
import type { AccountRef } from './types.ts';

/** Money moving from one account to another: one DEBIT flow and one CREDIT flow. */
export interface Transfer {
	from: AccountRef;
	to: AccountRef;
	amount: bigint;
	txnType: FlowTxnType;
	memo: string;
}

export interface PostingHeader {
	merchantId: bigint;
	postingKey: string;
	kind: string;
	orderKind: OrderKind;
	orderId: bigint | null;
	orderNo: string;
	merchantOrderNo: string | null;
	payMethod: string | null;
	at: Date;
	accountingDate: string;
	/** flow_no = `${flowNoPrefix}-01`, `-02`, … */
	flowNoPrefix: string;
}

/** A posting's flows, without their posting: what the ledger inserts and the seed's book keeps. */
export type FlowFields = Omit<Selectable<FundFlowsTable>, 'id' | 'posting_id'>;

/**
 * The rows of a posting's legs (a DEBIT and a CREDIT flow per transfer, each with the balance
 * after it) and every touched account's new balance. Pure, so the ledger and the seed's
 * in-memory book (seed/book) book by the same rule. Refuses an overdraft of any account but
 * CLEARING with 'ledger.insufficientFunds' before anything is written.
 */
export function legRows<A extends LockedAccount>(
	h: PostingHeader,
	legs: Transfer[],
	get: (r: AccountRef) => A
): { rows: FlowFields[]; balances: Map<A, bigint> } {
	const balances = new Map<A, bigint>();
	const rows: FlowFields[] = [];
	const leg = (acc: A, counter: A, direction: 'CREDIT' | 'DEBIT', t: Transfer) => {
		const before = balances.get(acc) ?? acc.balance;
		const after = direction === 'CREDIT' ? before + t.amount : before - t.amount;
		if (after < 0n && acc.type !== 'CLEARING') throw new LedgerError('ledger.insufficientFunds', `${acc.accountNo} ${before} < ${t.amount}`);
		balances.set(acc, after);
		rows.push({
			merchant_id: h.merchantId,
			flow_no: `${h.flowNoPrefix}-${String(rows.length + 1).padStart(2, '0')}`,
			account_id: acc.id,
			account_type: acc.type,
			sub_type: acc.sub,
			user_id: acc.userId,
			txn_type: t.txnType,
			direction,
			amount: t.amount,
			balance_after: after,
			accounting_date: h.accountingDate,
			order_kind: h.orderKind,
			order_id: h.orderId,
			order_no: h.orderNo,
			merchant_order_no: h.merchantOrderNo,
			pay_method: h.payMethod,
			counter_account_no: counter.accountNo,
			memo: t.memo,
			created_at: h.at
		});
	};
	for (const t of legs) {
		const from = get(t.from);
		const to = get(t.to);
		leg(from, to, 'DEBIT', t);
		leg(to, from, 'CREDIT', t);
	}
	return { rows, balances };
}

/** Inserts the postings row; the unique posting_key makes a second posting of one event impossible. */
export async function insertPosting(trx: Transaction<DB>, merchantId: bigint, postingKey: string, kind: string, at: Date) {
	try {
		const row = await trx
			.insertInto('postings')
			.values({ merchant_id: merchantId, posting_key: postingKey, kind, created_at: at })
			.returning('id')
			.executeTakeFirstOrThrow();
		return row.id;
	} catch (e) {
		if (isUniqueViolation(e)) throw new LedgerError('ledger.conflict', `posting ${postingKey} exists`);
		throw e;
	}
}

/**
 * Writes one balanced posting: the postings row, a flow per leg with its balance after,
 * and the new balances. Accounts are locked here unless the caller already holds them
 * (`locked`, when it needed balances to decide the legs). Refuses an overdraft of any
 * account but CLEARING with 'ledger.insufficientFunds'; the caller's transaction rolls back.
 */
export async function writePosting(
	trx: Transaction<DB>,
	h: PostingHeader,
	transfers: Transfer[],
	locked?: Map<string, LockedAccount>
): Promise<bigint> {
	const legs = transfers.filter((t) => t.amount > 0n);
	if (transfers.some((t) => t.amount < 0n)) throw new LedgerError('ledger.invalidPosting', 'negative leg');
	// Nothing is booked on a closed date (ledger/close.ts); callers take bookingDate().
	const closed = await closedThrough(trx, h.merchantId);
	if (closed !== null && h.accountingDate <= closed)
		throw new LedgerError('ledger.invalidPosting', `${h.postingKey}: ${h.accountingDate} is closed (through ${closed})`);
	const postingId = await insertPosting(trx, h.merchantId, h.postingKey, h.kind, h.at);
	if (legs.length === 0) return postingId;
	const accounts = locked ?? (await lockAccounts(trx, h.merchantId, legs.flatMap((t) => [t.from, t.to])));
	const get = (r: AccountRef) => {
		const a = accounts.get(refKey(r));
		if (!a) throw new LedgerError('ledger.invalidPosting', `account ${refKey(r)} not locked`);
		return a;
	};

	const { rows, balances } = legRows(h, legs, get);
	// Multi-row VALUES get their ids in row order, which keeps each account's
	// balance_after chain in id order (the invariant checkInvariants verifies).
	await trx.insertInto('fund_flows').values(rows.map((r) => ({ ...r, posting_id: postingId }))).execute();
	const values = sql.join([...balances].map(([acc, b]) => sql`(${acc.id}::bigint, ${b}::bigint)`));
	await sql`UPDATE accounts SET balance = v.balance, updated_at = ${h.at}
		FROM (VALUES ${values}) AS v(id, balance) WHERE accounts.id = v.id`.execute(trx);
	return postingId;
}
