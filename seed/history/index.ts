// A merchant's transaction history, played against an in-memory book of the ledger and then
// stored set-based: the rows the ledger would have written call by call, in seconds instead of
// a minute. playHistory takes any LedgerPort, so the same history can go through the ledger itself.
import type { Faker } from '@faker-js/faker';
import type { Kysely } from 'kysely';
import type { DB } from '#db/types.ts';
import { Book } from '../book/index.ts';
import type { Rng } from '../rng.ts';
import { playDays } from './days.ts';
import { fillGaps } from './gaps.ts';
import type { LedgerPort } from './port.ts';
import { startRun, type HistoryOptions, type HistoryStats } from './run.ts';

export type { HistoryOptions, HistoryStats } from './run.ts';
export { throughLedger, type LedgerPort } from './port.ts';

export async function playHistory(ledger: LedgerPort, rng: Rng, faker: Faker, o: HistoryOptions): Promise<HistoryStats> {
	const run = startRun(ledger, rng, faker, o);
	await playDays(run);
	await fillGaps(run);
	return run.stats;
}

export async function seedHistory(db: Kysely<DB>, rng: Rng, faker: Faker, o: HistoryOptions, log: (line: string) => void = () => {}): Promise<HistoryStats> {
	const started = Date.now();
	const book = await Book.open(db, o.merchantId);
	const stats = await playHistory(book, rng, faker, o);
	const played = Date.now();
	const rows = await book.store(db);
	log(`${stats.postings} ledger calls played in ${played - started} ms; ${rows.payments} payments, ${rows.flows} fund flows stored in ${Date.now() - played} ms`);
	return stats;
}
