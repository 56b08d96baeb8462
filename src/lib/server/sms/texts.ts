// SMS bodies. Phones get them in Chinese whatever the sender's UI language (the platform's users are in China).
import { translate, type MessageKey } from '../../i18n/messages.ts';

export function smsText(key: MessageKey & `sms.body.${string}`, params: Record<string, string | number>): string {
	return translate('zh-CN', key, params);
}

/** The message that carries a new account's (or a reset operator's) initial password. */
export function initialPasswordSmsBody(p: { name: string; merchantNo: string; password: string }): string {
	return smsText('sms.body.initialPassword', p);
}
