// SMS: initial passwords and password-reset codes. Every message becomes an sms_outbox row before
// any delivery is tried, and the row ends SENT or FAILED (with the error), never silently lost.
// SMS_SENDER=outbox (default) keeps messages in the outbox; SMS_SENDER=http posts them to
// SMS_GATEWAY_URL (with SMS_GATEWAY_TOKEN as a bearer token when set).
import type { Db } from '../../../../db/index.ts';
import { HttpSmsSender } from './http-sender.ts';
import { OutboxSmsSender } from './outbox-sender.ts';
import type { SmsMessage, SmsSender } from './sender.ts';

export type { SmsMessage, SmsSender } from './sender.ts';
export { HttpSmsSender, type HttpSmsSenderOptions } from './http-sender.ts';
export { OutboxSmsSender, maskPhone } from './outbox-sender.ts';

export interface SmsRequest {
	merchantId: bigint | null;
	phone: string;
	body: string;
	/** What the message is for, e.g. 'INITIAL_PASSWORD', 'RESET_PASSWORD'. */
	purpose: string;
}

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
			body: request.body,
			purpose: request.purpose,
			status: 'QUEUED'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return { id: row.id, ...request };
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

export { initialPasswordSmsBody, smsText } from './texts.ts';

/** The newest outbox messages, for the sign-in page in demo mode only (they hold codes and passwords). */
export async function recentOutbox(db: Db, limit = 5) {
	return db
		.selectFrom('sms_outbox')
		.select(['id', 'phone', 'body', 'status', 'created_at'])
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(limit)
		.execute();
}

export function demoMode(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.DEMO_MODE === '1';
}
