// The ledger: the only code that moves money. Every function takes the database first and
// posts one business event in one transaction (or under a savepoint when handed a
// Transaction, so a caller can batch many postings into one commit).
export * from './types.ts';
export { LedgerError, type LedgerErrorKey } from './errors.ts';
export { openMerchantAccounts, openUserAccount, accountNo } from './accounts.ts';
export { postPayment, completePayment, closePayment } from './payments.ts';
export { postRefund, completeRefund } from './refunds.ts';
export { postWithdrawal, updateWithdrawalStatus } from './withdrawals.ts';
export { runDailySettlement } from './settlement.ts';
export { checkInvariants } from './invariants.ts';
export { bookingDate, closeDay, closedThrough, openDateFor } from './close.ts';
