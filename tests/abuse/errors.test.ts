// Internal error text never reaches a person: a statement or export build that Postgres breaks
// is answered as a catalogue message, an unexpected exception in a page is logged and shown as
// the catalogue's generic message, and a refused download says why in Chinese, not as a key.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { getDb } from '#db';
import { buildExport } from '#shared/server/exports/build.ts';
import { closeQueues } from '#shared/server/queue/queues.ts';
import { buildStatement } from '#shared/server/statements/build.ts';
import { upsertStatement } from '#shared/server/statements/records.ts';
import { handleError } from '../../src/hooks.server.ts';
import { translate } from '#shared/i18n/messages.ts';
import { statementWindow } from '#shared/schemas/statements.ts';
import { closeFilePool } from '#shared/server/files/index.ts';
import { captureLogs } from '#shared/server/log.ts';
import { GET as fileGet } from '../../src/routes/files/[id]/+server.ts';
import { callerFor, signedIn } from '../fixtures/context.ts';
import { makeMerchant, makeStaff } from '../fixtures/merchant.ts';
import { dropTestJobs } from '../fixtures/queues.ts';

const db = getDb();

afterAll(async () => {
	await closeQueues();
	await closeFilePool();
	await dropTestJobs();
});

/** A fresh merchant's admin, signed in. */
async function admin() {
	const merchant = await makeMerchant(db);
	const auth = signedIn(merchant, await makeStaff(db, merchant.id, { isAdmin: true }));
	return { merchant, auth, caller: callerFor(db, auth) };
}

/** Runs `fn` while `table.column` is missing, so whatever reads it fails inside Postgres. */
async function withoutColumn<T>(table: string, column: string, fn: () => Promise<T>): Promise<T> {
	await sql`ALTER TABLE ${sql.table(table)} RENAME COLUMN ${sql.ref(column)} TO ${sql.ref(`${column}_hidden`)}`.execute(db);
	try {
		return await fn();
	} finally {
		await sql`ALTER TABLE ${sql.table(table)} RENAME COLUMN ${sql.ref(`${column}_hidden`)} TO ${sql.ref(column)}`.execute(db);
	}
}

describe('failed builds', () => {
	it('an export Postgres could not build is answered as the catalogue message, never in Postgres’s words', async () => {
		const { caller } = await admin();
		const { id } = await caller.exports.create({ list: 'payments', format: 'CSV', filter: {}, columns: [] });
		const cause = await withoutColumn('payments', 'memo', () => buildExport(db, id, { owner: 'test', finalAttempt: true }).then(() => null, (e: Error) => e));
		// the build really failed, in Postgres's own words, and the operator's row keeps them
		expect(cause?.message).toMatch(/memo/);
		const row = await db.selectFrom('exports').select(['status', 'error']).where('id', '=', id).executeTakeFirstOrThrow();
		expect(row.status).toBe('FAILED');

		const got = await caller.exports.get({ id });
		const listed = (await caller.exports.list({ page: 1, pageSize: 20 })).rows.find((r) => r.id === id)!;
		for (const answer of [got, listed]) {
			expect(answer.status).toBe('FAILED');
			expect(answer.error).toBe('exports.buildFailed');
			expect(JSON.stringify(answer, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(/memo|column|does not exist|relation/i);
		}
		expect(translate('zh-CN', got.error!)).toBe('文件生成出错, 请点击重试');
		expect(translate('en', got.error!)).toBe('The file could not be produced; please retry');
	});

	it('a statement Postgres could not build is answered as the catalogue message in the calendar', async () => {
		const { merchant, caller } = await admin();
		const day = statementWindow().last;
		const s = await upsertStatement(db, merchant.id, day);
		const cause = await withoutColumn('withdrawals', 'memo', () => buildStatement(db, s.id, { finalAttempt: true }).then(() => null, (e: Error) => e));
		expect(cause?.message).toMatch(/memo/);

		const month = await caller.statements.month({ month: day.slice(0, 7) });
		const shown = month.days.find((d) => d.date === day)!;
		expect(shown).toMatchObject({ state: 'FAILED', error: 'statements.buildFailed' });
		expect(JSON.stringify(month)).not.toMatch(/memo|column|does not exist/i);
		expect(translate('zh-CN', shown.error!)).toBe('对账单生成出错, 点击该日可重新生成');
	});
});

describe('unexpected errors in pages and downloads', () => {
	const event = (locale: 'zh-CN' | 'en', path = '/trade/payments') =>
		({ locals: { locale, auth: null }, url: new URL(`http://localhost${path}`), request: new Request(`http://localhost${path}`) }) as unknown as RequestEvent;

	it('an exception is logged in full and shown as the catalogue’s generic message', async () => {
		const logged = captureLogs('error');
		try {
			const boom = new Error('relation "payments_secret" does not exist');
			const zh = await handleError({ error: boom, event: event('zh-CN'), status: 500, message: 'Internal Error' });
			expect(zh).toEqual({ message: '系统繁忙, 请稍后重试' });
			const en = await handleError({ error: boom, event: event('en'), status: 500, message: 'Internal Error' });
			expect(en).toEqual({ message: 'Something went wrong, please try again' });
			const lines = logged.entries();
			expect(lines).toHaveLength(2);
			for (const line of lines)
				expect(line).toMatchObject({ level: 'error', msg: 'GET /trade/payments failed', err: { message: boom.message, stack: boom.stack } });
		} finally {
			logged.stop();
		}
	});

	it('a page that does not exist says so in the person’s language, not SvelteKit’s English', async () => {
		const r = await handleError({ error: new Error('Not found: /nope'), event: event('zh-CN', '/nope'), status: 404, message: 'Not Found' });
		expect(r).toEqual({ message: '页面不存在' });
	});

	it('a refused download answers a message, not a catalogue key', async () => {
		const refusal = async (jar: { auth: unknown }, id: string) => {
			try {
				await fileGet({ locals: { locale: 'zh-CN', ...jar }, params: { id }, request: new Request('http://localhost/files/1') } as never);
			} catch (e) {
				return e as { status: number; body: { message: string } };
			}
			throw new Error('expected a refusal');
		};
		expect(await refusal({ auth: null }, '1')).toMatchObject({ status: 401, body: { message: '请先登录' } });
		const { auth } = await admin();
		expect(await refusal({ auth }, '../../etc/passwd')).toMatchObject({ status: 404, body: { message: '记录不存在' } });
		expect(await refusal({ auth }, '999999999')).toMatchObject({ status: 404, body: { message: '记录不存在' } });
	});
});
