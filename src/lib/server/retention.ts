// How long short-lived security data lives: everything here is either a secret past its
// validity or a record that only matters for minutes or days. Run hourly by the worker's
// upkeep job (upkeep.hourly). The worker runs this under plain Node: no $app/$env/$lib imports.
import { sql } from 'kysely';
import type { Db } from '#db';
import { pruneSignInLog } from './auth/sign-in-log.ts';
import { pruneThrottle } from './auth/throttle.ts';
import { pruneSmsOutbox } from './sms/index.ts';

const DAY_MS = 86_400_000;

interface Pruned {
	sessions: number;
	smsCodes: number;
	resetRequests: number;
	throttle: number;
	signInLog: number;
	smsSecretsCleared: number;
	smsRows: number;
	statementNonces: number;
}

export async function pruneSecurityData(db: Db): Promise<Pruned> {
	const dayAgo = new Date(Date.now() - DAY_MS);
	// A session past either expiry can never be used again (validation refuses it anyway).
	const sessions = await db
		.deleteFrom('sessions')
		.where((eb) => eb.or([eb('expires_at', '<=', sql<Date>`now()`), eb('absolute_expires_at', '<=', sql<Date>`now()`)]))
		.executeTakeFirst();
	// Codes live 5 minutes; a day later nothing (cool-down, hourly limits) reads them.
	const smsCodes = await db.deleteFrom('sms_codes').where('expires_at', '<', dayAgo).executeTakeFirst();
	const resetRequests = await db.deleteFrom('password_reset_requests').where('created_at', '<', dayAgo).executeTakeFirst();
	const sms = await pruneSmsOutbox(db);
	// A statement API nonce past its expiry belongs to a request whose timestamp is refused anyway.
	const nonces = await db.deleteFrom('statement_api_nonces').where('expires_at', '<', sql<Date>`now()`).executeTakeFirst();
	return {
		sessions: Number(sessions.numDeletedRows),
		smsCodes: Number(smsCodes.numDeletedRows),
		resetRequests: Number(resetRequests.numDeletedRows),
		throttle: await pruneThrottle(db),
		signInLog: await pruneSignInLog(db),
		smsSecretsCleared: sms.secretsCleared,
		smsRows: sms.rowsDeleted,
		statementNonces: Number(nonces.numDeletedRows)
	};
}
