// SMS bodies. Phones get them in Chinese whatever the sender's UI language (the platform's users are in China).
import { translate, type MessageKey } from '#shared/i18n/messages.ts';

export function smsText(key: MessageKey & `sms.body.${string}`, params: Record<string, string | number>): string {
	return translate('zh-CN', key, params);
}


/** Stands in for a password or code in every stored copy of a message. */
export const REDACTED = '******';

/**
 * A message that carries a secret (a password, a code): the whole text for the phone, and the
 * text with the secret as ****** for the outbox row, which must not keep the secret.
 */
export function secretSms(
	key: MessageKey & `sms.body.${string}`,
	params: Record<string, string | number>,
	secrets: Record<string, string>
): { body: string; redactedBody: string } {
	const redacted = Object.fromEntries(Object.keys(secrets).map((k) => [k, REDACTED]));
	return { body: smsText(key, { ...params, ...secrets }), redactedBody: smsText(key, { ...params, ...redacted }) };
}
