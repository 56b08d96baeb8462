import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { DB, WithdrawalStatus, WithdrawalsTable } from '#db/types.ts';
import { ref } from './accounts.ts';
import { bookingDate } from './close.ts';
import { LedgerError, memoText } from './errors.ts';
import { writePosting, type Transfer } from './post.ts';
import { inTransaction } from './tx.ts';
import type { AccountRef, StatusChange, WithdrawalPosting, WithdrawalResult, WithdrawalStatusInput } from './types.ts';

type WithdrawalRow = Selectable<WithdrawalsTable>;

/** Statuses under which the money has left (reserved at creation). */
export const MONEY_OUT = new Set<WithdrawalStatus>(['TRADE_CHECKING', 'TRADE_PREPAID', 'TRADE_SUCCESS']);
/** Legal status changes; TRADE_CANCEL (退汇) is a bank return, possible even after success. */
export const NEXT: Record<WithdrawalStatus, WithdrawalStatus[]> = {
	TRADE_CHECKING: ['TRADE_PREPAID', 'TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'],
	TRADE_PREPAID: ['TRADE_SUCCESS', 'TRADE_FAILURE', 'TRADE_CANCEL'],
	TRADE_SUCCESS: ['TRADE_CANCEL'],
	TRADE_FAILURE: [],
	TRADE_CANCEL: []
};

const RANK: Record<WithdrawalStatus, number> = { TRADE_CHECKING: 0, TRADE_PREPAID: 1, TRADE_SUCCESS: 2, TRADE_FAILURE: 3, TRADE_CANCEL: 3 };

/** A cash-out spends the user's balance (or the merchant's own funds); a 外部代发 always the merchant's. */
export function sourceAccount(w: Pick<WithdrawalRow, 'txn_type' | 'user_id'>): AccountRef {
	return w.txn_type === 'ACCT_CASH_OUT' && w.user_id !== null
		? ref.user(w.user_id, 'AVAILABLE')
		: ref.merchant('MCHOWN', 'AVAILABLE');
}

export function withdrawalTransfers(w: WithdrawalRow): Transfer[] {
	return [
		{ from: sourceAccount(w), to: ref.clearing(), amount: w.amount, txnType: w.txn_type, memo: memoText(w.txn_type) },
		{ from: ref.merchant('MCHFEE', 'AVAILABLE'), to: ref.clearing(), amount: w.fee_amount, txnType: 'SERVICE_FEE', memo: memoText('SERVICE_FEE') }
	];
}

async function header(trx: Transaction<DB>, w: WithdrawalRow, postingKey: string, kind: string, at: Date, flowNoPrefix: string) {
	return {
		merchantId: w.merchant_id,
		postingKey,
		kind,
		orderKind: 'WITHDRAWAL' as const,
		orderId: w.id,
		orderNo: w.platform_txn_no,
		merchantOrderNo: w.merchant_order_no,
		payMethod: null,
		at,
		accountingDate: await bookingDate(trx, w.merchant_id, at),
		flowNoPrefix
	};
}

function lockWithdrawal(trx: Transaction<DB>, merchantId: bigint, platformTxnNo: string) {
	return trx
		.selectFrom('withdrawals')
		.selectAll()
		.where('merchant_id', '=', merchantId)
		.where('platform_txn_no', '=', platformTxnNo)
		.forUpdate()
		.executeTakeFirst();
}

async function updateIn(trx: Transaction<DB>, input: WithdrawalStatusInput): Promise<StatusChange> {
	const w = await lockWithdrawal(trx, input.merchantId, input.platformTxnNo);
	if (!w) throw new LedgerError('ledger.orderNotFound', input.platformTxnNo);
	if (w.status === input.status) return { changed: false, status: w.status };
	if (!NEXT[w.status].includes(input.status))
		throw new LedgerError('ledger.illegalTransition', `${w.status} → ${input.status}`);
	if (input.status === 'TRADE_FAILURE' || input.status === 'TRADE_CANCEL') {
		// The reversal puts back everything the withdrawal took, its fee included.
		const memo = memoText(input.status === 'TRADE_CANCEL' ? 'RETURN' : 'FAILURE');
		const back = withdrawalTransfers(w).map((t) => ({ ...t, from: t.to, to: t.from, memo }));
		await writePosting(trx, await header(trx, w, `${w.platform_txn_no}:RETURN`, 'WITHDRAWAL_RETURN', input.at, `${w.platform_txn_no}-R`), back);
	}
	const final = input.status !== 'TRADE_PREPAID';
	await trx
		.updateTable('withdrawals')
		.set({
			status: input.status,
			completed_at: final ? input.at : w.completed_at,
			channel_txn_no: input.channelTxnNo ?? w.channel_txn_no
		})
		.where('id', '=', w.id)
		.execute();
	return { changed: true, status: input.status };
}

/**
 * Records a withdrawal (提现) or payout to a bank card (外部代发). For TRADE_CHECKING,
 * TRADE_PREPAID and TRADE_SUCCESS the money (and fee) leaves at once, so it is reserved;
 * a later failure or bank return puts it back (updateWithdrawalStatus).
 */
export async function postWithdrawal(db: Kysely<DB>, w: WithdrawalPosting): Promise<WithdrawalResult> {
	const fee = w.feeAmount ?? 0n;
	if (w.amount <= 0n || fee < 0n) throw new LedgerError('ledger.invalidPosting', `${w.platformTxnNo}: amounts`);
	if (w.txnType !== 'ACCT_CASH_OUT' && w.txnType !== 'OUTER_FUND_EXCHANGE')
		throw new LedgerError('ledger.invalidPosting', `${w.platformTxnNo}: txn type ${w.txnType}`);
	return inTransaction(db, async (trx) => {
		if (w.userId != null) {
			const u = await trx
				.selectFrom('users')
				.select('id')
				.where('merchant_id', '=', w.merchantId)
				.where('id', '=', w.userId)
				.executeTakeFirst();
			if (!u) throw new LedgerError('ledger.unknownUser', String(w.userId));
		}
		const moves = MONEY_OUT.has(w.status);
		const final = w.status !== 'TRADE_CHECKING' && w.status !== 'TRADE_PREPAID';
		const values: Insertable<WithdrawalsTable> = {
			merchant_id: w.merchantId,
			platform_txn_no: w.platformTxnNo,
			merchant_order_no: w.merchantOrderNo,
			txn_type: w.txnType,
			status: w.status,
			amount: w.amount,
			fee_amount: fee,
			user_id: w.userId ?? null,
			card_no: w.cardNo,
			bank_name: w.bankName ?? null,
			payee_name: w.payeeName ?? null,
			memo: w.memo ?? null,
			created_at: w.createdAt,
			completed_at: final ? (w.completedAt ?? w.createdAt) : null,
			accounting_date: moves ? await bookingDate(trx, w.merchantId, w.createdAt) : null,
			channel_txn_no: w.channelTxnNo ?? null
		};
		let inserted: WithdrawalRow | undefined;
		try {
			inserted = await trx.insertInto('withdrawals').values(values).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
		} catch (e) {
			// card_no CHECK and the like: the payload is wrong, not the database
			if ((e as { code?: string }).code === '23514') throw new LedgerError('ledger.invalidPosting', String(e));
			throw e;
		}
		if (!inserted) {
			const existing = await lockWithdrawal(trx, w.merchantId, w.platformTxnNo);
			if (
				!existing ||
				existing.merchant_order_no !== w.merchantOrderNo ||
				existing.txn_type !== w.txnType ||
				existing.amount !== w.amount ||
				existing.fee_amount !== fee ||
				existing.user_id !== (w.userId ?? null) ||
				existing.card_no !== w.cardNo
			)
				throw new LedgerError('ledger.conflict', `${w.platformTxnNo} / ${w.merchantOrderNo}`);
			// A late notification of an earlier status (CHECKING after PREPAID, SUCCESS after a
			// bank return) changes nothing; SUCCESS after FAILURE contradicts and is refused below.
			const stale = RANK[w.status] < RANK[existing.status] && !(w.status === 'TRADE_SUCCESS' && existing.status === 'TRADE_FAILURE');
			if (existing.status === w.status || stale) return { withdrawalId: existing.id, created: false, status: existing.status };
			const change = await updateIn(trx, {
				merchantId: w.merchantId,
				platformTxnNo: w.platformTxnNo,
				status: w.status,
				at: w.completedAt ?? w.createdAt,
				channelTxnNo: w.channelTxnNo
			});
			return { withdrawalId: existing.id, created: false, status: change.status as WithdrawalStatus };
		}
		if (moves)
			await writePosting(trx, await header(trx, inserted, inserted.platform_txn_no, 'WITHDRAWAL', w.createdAt, inserted.platform_txn_no), withdrawalTransfers(inserted));
		return { withdrawalId: inserted.id, created: true, status: inserted.status };
	});
}

/** Moves a withdrawal on; TRADE_FAILURE / TRADE_CANCEL (退汇) post the reversal once. Illegal changes are refused. */
export async function updateWithdrawalStatus(db: Kysely<DB>, input: WithdrawalStatusInput): Promise<StatusChange> {
	return inTransaction(db, (trx) => updateIn(trx, input));
}
