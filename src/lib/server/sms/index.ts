// SMS: initial passwords and password-reset codes. Every message becomes an sms_outbox row before
// any delivery is tried, and the row ends SENT or FAILED (with the error), never silently lost.
// SMS_SENDER=outbox (default) keeps messages in the outbox; SMS_SENDER=http posts them to
// SMS_GATEWAY_URL (with SMS_GATEWAY_TOKEN as a bearer token when set).
import { sql } from 'kysely';
import type { Db } from '#db';
import { decryptSecret, encryptSecret, isSecretBox, type SecretOwner } from '../crypto/secrets.ts';
import { HttpSmsSender } from './http-sender.ts';
import { OutboxSmsSender } from './outbox-sender.ts';
import type { SmsMessage, SmsSender } from './sender.ts';

export type { SmsMessage, SmsSender } from './sender.ts';
export { HttpSmsSender, type HttpSmsSenderOptions } from './http-sender.ts';
export { OutboxSmsSender } from './outbox-sender.ts';

export interface SmsRequest {
	merchantId: bigint | null;
	phone: string;
	body: string;
	/**
	 * The body with its password or code as ****** (secretSms makes both). When given, the row
	 * keeps only this; the whole body is sent, and kept encrypted for SMS_SECRET_KEEP_MINUTES.
	 */
	redactedBody?: string;
	/** What the message is for, e.g. 'INITIAL_PASSWORD', 'RESET_PASSWORD'. */
	purpose: string;
}

/** How long the whole text of a message with a secret stays (encrypted) for the demo page. */
export function smsSecretKeepMs(): number {
	const n = Number(process.env.SMS_SECRET_KEEP_MINUTES);
	return (Number.isFinite(n) && n > 0 ? n : 10) * 60_000;
}

// The owner binds the box to the phone it was for: copied to another row it does not open.
const secretOwner = (merchantId: bigint | null, phone: string): SecretOwner => ({ merchantId: merchantId ?? 0n, scope: 'SMS', field: phone });

export type SmsStatus = 'SENT' | 'FAILED';

/** The sender the environment asks for; read on each use so tests and restarts can switch it. */
export function smsSenderFromEnv(env: NodeJS.ProcessEnv = process.env): SmsSender {
	const kind = env.SMS_SENDER || 'outbox';
	if (kind === 'outbox') return new OutboxSmsSender();
	if (kind === 'http') {
		if (!env.SMS_GATEWAY_URL) throw new Error('SMS_SENDER=http needs SMS_GATEWAY_URL');
		return new HttpSmsSender({ url: env.SMS_GATEWAY_URL, token: env.SMS_GATEWAY_TOKEN || null });
	}
	throw new Error(`unknown SMS_SENDER "${kind}" (use outbox or http)`);
}

/** Records the message (QUEUED) and delivers it; resolves once the row says SENT or FAILED. */
export async function sendSms(
	db: Db,
	request: SmsRequest,
	sender: SmsSender = smsSenderFromEnv()
): Promise<{ id: bigint; status: SmsStatus }> {
	const msg = await queueSms(db, request);
	const status = await deliverSms(db, msg, sender);
	return { id: msg.id, status };
}

/** Writes the QUEUED row only. Pair with deliverSms when the caller must not wait for the gateway. */
export async function queueSms(db: Db, request: SmsRequest): Promise<SmsMessage> {
	const row = await db
		.insertInto('sms_outbox')
		.values({
			merchant_id: request.merchantId,
			phone: request.phone,
			body: request.redactedBody ?? request.body,
			purpose: request.purpose,
			status: 'QUEUED',
			...(request.redactedBody === undefined
				? {}
				: {
						secret: JSON.stringify(encryptSecret(request.body, secretOwner(request.merchantId, request.phone))),
						secret_expires_at: new Date(Date.now() + smsSecretKeepMs())
					})
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return { id: row.id, merchantId: request.merchantId, phone: request.phone, body: request.body, purpose: request.purpose };
}

/** Tries the sender up to its maxAttempts with backoff, counting each attempt on the row. */
export async function deliverSms(db: Db, msg: SmsMessage, sender: SmsSender = smsSenderFromEnv()): Promise<SmsStatus> {
	const maxAttempts = Math.max(1, sender.maxAttempts ?? 1);
	let lastError = '';
	for (let attempt = 1; attempt <= maxAttempts; attempt++) {
		await db.updateTable('sms_outbox').set({ attempts: attempt }).where('id', '=', msg.id).execute();
		try {
			await sender.send(msg);
			await db
				.updateTable('sms_outbox')
				.set({ status: 'SENT', sent_at: new Date(), error: null })
				.where('id', '=', msg.id)
				.execute();
			return 'SENT';
		} catch (error) {
			lastError = error instanceof Error ? error.message : String(error);
			if (attempt < maxAttempts) await sleep(sender.backoffMs?.(attempt) ?? 0);
		}
	}
	await db
		.updateTable('sms_outbox')
		.set({ status: 'FAILED', error: `${sender.name}: ${lastError}`.slice(0, 1000) })
		.where('id', '=', msg.id)
		.execute();
	console.error(`[sms] #${msg.id} ${msg.purpose} FAILED after ${maxAttempts} attempt(s): ${lastError}`);
	return 'FAILED';
}

const inFlight = new Set<Promise<unknown>>();

/**
 * Delivers in the background: the caller answers without waiting for the gateway (the forgot-
 * password answer must not take longer when the phone exists). The row records the outcome.
 */
export function deliverSmsLater(db: Db, msg: SmsMessage, sender: SmsSender = smsSenderFromEnv()): void {
	const p = deliverSms(db, msg, sender)
		.catch((error) => console.error(`[sms] #${msg.id} delivery crashed:`, error))
		.finally(() => inFlight.delete(p));
	inFlight.add(p);
}

/** Waits for background deliveries (tests, shutdown). */
export async function settleSmsDeliveries(): Promise<void> {
	while (inFlight.size) await Promise.allSettled([...inFlight]);
}

function sleep(ms: number): Promise<void> {
	return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

export { REDACTED, secretSms, smsText } from './texts.ts';

/** The whole text of an outbox row while its secret is kept, else the stored (redacted) body. */
export function outboxText(row: { merchant_id: bigint | null; phone: string; body: string; secret: unknown; secret_expires_at: Date | null }): string {
	if (!isSecretBox(row.secret) || !row.secret_expires_at || row.secret_expires_at.getTime() <= Date.now()) return row.body;
	return decryptSecret(row.secret, secretOwner(row.merchant_id, row.phone)).toString('utf8');
}

/** The newest outbox messages, for the sign-in page in demo mode only (they hold codes and passwords). */
export async function recentOutbox(db: Db, limit = 5) {
	const rows = await db
		.selectFrom('sms_outbox')
		.select(['id', 'merchant_id', 'phone', 'body', 'secret', 'secret_expires_at', 'status', 'created_at'])
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(limit)
		.execute();
	return rows.map((r) => ({ id: r.id, phone: r.phone, body: outboxText(r), status: r.status, created_at: r.created_at }));
}

/** Clears whole texts past their keep time, and forgets rows older than SMS_OUTBOX_DAYS (30). */
export async function pruneSmsOutbox(db: Db): Promise<{ secretsCleared: number; rowsDeleted: number }> {
	const cleared = await db
		.updateTable('sms_outbox')
		.set({ secret: null, secret_expires_at: null })
		.where('secret', 'is not', null)
		.where('secret_expires_at', '<=', sql<Date>`now()`)
		.executeTakeFirst();
	const days = Number(process.env.SMS_OUTBOX_DAYS);
	const keepMs = (Number.isInteger(days) && days > 0 ? days : 30) * 86_400_000;
	const deleted = await db.deleteFrom('sms_outbox').where('created_at', '<', new Date(Date.now() - keepMs)).executeTakeFirst();
	return { secretsCleared: Number(cleared.numUpdatedRows), rowsDeleted: Number(deleted.numDeletedRows) };
}

/**
 * DEMO_MODE=1 shows the outbox (passwords, codes) on the unauthenticated sign-in page, so it is
 * refused outright under NODE_ENV=production (assertDemoModeAllowed stops the server at start).
 */
export function demoMode(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.DEMO_MODE === '1' && env.NODE_ENV !== 'production';
}

export function assertDemoModeAllowed(env: NodeJS.ProcessEnv = process.env): void {
	if (env.DEMO_MODE === '1' && env.NODE_ENV === 'production')
		throw new Error('DEMO_MODE=1 shows SMS passwords and codes on the sign-in page: it is refused when NODE_ENV=production');
}
