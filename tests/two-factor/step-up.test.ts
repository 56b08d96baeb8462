// Step-up: sensitive procedures declare it in their meta, the gate refuses them unless the session
// proved its person within 5 minutes, and auth.stepUp (password or code) opens them again.
import { describe, expect, it, onTestFinished } from 'vitest';
import { captureLogs } from '#shared/server/log.ts';
import { getDb } from '#db';
import type { Meta } from '#shared/server/api/init.ts';
import { appRouter } from '#shared/server/api/root.ts';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { callerFor, sessionOf } from '../fixtures/context.ts';
import { makeMerchant, makeStaff, PASSWORD, randomPhone } from '../fixtures/merchant.ts';
import { refusal } from '../fixtures/outcome.ts';
import { enrol, totpCode, wrongCode } from './helpers.ts';

const db = getDb();

type Proc = { _def: { meta?: Meta; type: string } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Proc>);

/** Mutations in these sections hand out access or change payment keys. */
const SENSITIVE_SECTIONS = ['roles.', 'operators.', 'keys.'];
/** Mutations there that need no step-up, and why. */
const EXEMPT: Record<string, string> = {
	'operators.unlock': 'lifts a lockout only; grants nothing the operator did not have',
	'operators.endSessions': 'takes access away (signs the operator out); a stolen session gains nothing by it',
	'keys.platform.verify': 'checks a signature against the saved public key; changes nothing'
};
/**
 * Sensitive elsewhere: new recovery codes are a way past the second factor; the address
 * allow-list decides where anyone of the merchant may sign in from.
 */
const ALSO_SENSITIVE = ['settings.twoFactor.regenerateRecoveryCodes', 'settings.allowList.save'];

describe('which procedures need step-up', () => {
	it('every mutation that hands out access or changes payment keys declares stepUp in its meta', () => {
		const missing = procedures
			.filter(([path, p]) => p._def.type === 'mutation' && SENSITIVE_SECTIONS.some((s) => path.startsWith(s)) && !(path in EXEMPT))
			.filter(([, p]) => p._def.meta?.stepUp !== true)
			.map(([path]) => path);
		expect(missing).toEqual([]);
		for (const path of ALSO_SENSITIVE) expect(appRouter._def.procedures).toHaveProperty([path, '_def', 'meta', 'stepUp'], true);
	});

	it('the list, as the issue note gives it', () => {
		const declared = procedures.filter(([, p]) => p._def.meta?.stepUp).map(([path]) => path).sort();
		expect(declared).toEqual(
			[
				'keys.alipay.save',
				'keys.alipay.setStatus',
				'keys.platform.setPublicKey',
				'keys.wechat.save',
				'keys.wechat.setStatus',
				'operators.create',
				'operators.delete',
				'operators.resetPassword',
				'operators.resetTwoFactor',
				'operators.setStatusMany',
				'operators.setTwoFactorRequired',
				'operators.updateInfo',
				'operators.updateRoles',
				'roles.create',
				'roles.setStatus',
				'roles.setStatusMany',
				'roles.update',
				'settings.allowList.save',
				'settings.twoFactor.regenerateRecoveryCodes',
				// a range of statements is a bulk download (issue 11)
				'statements.range'
			].sort()
		);
		// reads never ask
		expect(procedures.filter(([, p]) => p._def.meta?.stepUp && p._def.type === 'query')).toEqual([]);
	});
});

async function adminSession() {
	const merchant = await makeMerchant(db);
	const admin = await makeStaff(db, merchant.id, { isAdmin: true, name: '管理员' });
	return { merchant, admin, ...(await sessionOf(db, admin.id)) };
}

/** The session last proved its person `minutes` ago. */
async function verifiedAgo(token: string, sessionId: string, minutes: number) {
	await db.updateTable('sessions').set({ verified_at: new Date(Date.now() - minutes * 60_000) }).where('id', '=', sessionId).execute();
	return (await validateSessionToken(db, token))!.auth;
}

const newOperator = () => ({ name: '新同事', phone: randomPhone(), roleIds: [] as bigint[] });

describe('the gate', () => {
	it('a fresh sign-in goes through; six minutes later it is refused until the password is entered again', async () => {
		const { merchant, token, auth } = await adminSession();
		// The outbox sender logs one line per message it sends.
		const log = captureLogs('info');
		onTestFinished(() => log.stop());
		// just signed in
		await callerFor(db, auth).operators.create(newOperator());

		const stale = await verifiedAgo(token, auth.sessionId, 6);
		expect(await refusal(callerFor(db, stale).operators.create(newOperator()))).toEqual({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
		expect(await refusal(callerFor(db, stale).roles.create({ name: '财务', permissions: ['settings.password'] }))).toEqual({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
		const operators = await db.selectFrom('staff').select('id').where('merchant_id', '=', merchant.id).where('is_admin', '=', false).execute();
		expect(operators).toHaveLength(1);
		// queries and everyday work are not asked
		expect((await callerFor(db, stale).operators.list({})).rows).toHaveLength(1);

		expect(await refusal(callerFor(db, stale).auth.stepUp({ method: 'password', value: 'Wrong#Pass2026' }))).toEqual({ code: 'BAD_REQUEST', message: 'stepUp.wrongPassword' });
		expect(await refusal(callerFor(db, stale).operators.create(newOperator()))).toMatchObject({ code: 'PRECONDITION_FAILED' });
		await callerFor(db, stale).auth.stepUp({ method: 'password', value: PASSWORD });
		const fresh = (await validateSessionToken(db, token))!.auth;
		await callerFor(db, fresh).operators.create(newOperator());
		expect(log.entries().filter((e) => String(e.msg).startsWith('[sms] outbox'))).toHaveLength(2);

		const audit = await db.selectFrom('audit_log').select(['action', 'detail']).where('merchant_id', '=', merchant.id).where('action', 'like', 'auth.stepUp%').orderBy('id').execute();
		expect(audit).toEqual([
			{ action: 'auth.stepUpFailed', detail: { method: 'password' } },
			{ action: 'auth.stepUp', detail: { method: 'password' } }
		]);
	});

	it('a two-factor code steps up too, once per code', async () => {
		const { admin } = await adminSession();
		const { secret, token } = await enrol(db, admin.id);
		const auth = (await validateSessionToken(db, token))!.auth;
		const stale = await verifiedAgo(token, auth.sessionId, 10);
		expect(await refusal(callerFor(db, stale).operators.setTwoFactorRequired({ required: true }))).toEqual({ code: 'PRECONDITION_FAILED', message: 'auth.stepUpRequired' });
		expect(await refusal(callerFor(db, stale).auth.stepUp({ method: 'code', value: wrongCode(secret) }))).toEqual({ code: 'BAD_REQUEST', message: 'auth.badCode' });
		const code = totpCode(secret, 1);
		await callerFor(db, stale).auth.stepUp({ method: 'code', value: code });
		const fresh = (await validateSessionToken(db, token))!.auth;
		expect(await callerFor(db, fresh).operators.setTwoFactorRequired({ required: true })).toEqual({ required: true });
		// the same code cannot step up another session
		const other = await sessionOf(db, admin.id);
		const otherStale = await verifiedAgo(other.token, other.auth.sessionId, 10);
		expect(await refusal(callerFor(db, otherStale).auth.stepUp({ method: 'code', value: code }))).toEqual({ code: 'BAD_REQUEST', message: 'auth.codeReplayed' });
	});

	it('wrong passwords are limited like sign-in: the sixth, even the right one, is refused', async () => {
		const { token, auth } = await adminSession();
		const stale = await verifiedAgo(token, auth.sessionId, 6);
		const results = await Promise.all(Array.from({ length: 8 }, () => refusal(callerFor(db, stale).auth.stepUp({ method: 'password', value: 'Wrong#Pass2026' }))));
		expect(results.filter((r) => r.message === 'stepUp.wrongPassword')).toHaveLength(4);
		expect(results.filter((r) => r.message === 'stepUp.locked')).toHaveLength(4);
		expect(await refusal(callerFor(db, stale).auth.stepUp({ method: 'password', value: PASSWORD }))).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: 'stepUp.locked' });
	});
});
