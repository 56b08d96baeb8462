// An operator's initial (or reset) password: made here, stored only as its hash, sent only by SMS.
import type { Db } from '#db';
import { hashPassword } from '../auth/password.ts';
import { generateInitialPassword } from '../auth/password-policy.ts';
import { secretSms, sendSms } from '../sms/index.ts';

/** A fresh random password and its hash; the clear text only ever leaves by SMS. */
export async function newInitialPassword(): Promise<{ password: string; hash: string }> {
	const password = generateInitialPassword();
	return { password, hash: await hashPassword(password) };
}

/** Texts the password to the operator (after the change is committed, so a slow gateway holds no locks). */
export function smsPassword(
	db: Db,
	to: { merchantId: bigint; merchantNo: string; name: string; phone: string },
	password: string,
	kind: 'initial' | 'reset'
) {
	const key = kind === 'initial' ? 'sms.body.initialPassword' : 'sms.body.passwordReset';
	return sendSms(db, {
		merchantId: to.merchantId,
		phone: to.phone,
		...secretSms(key, { name: to.name, merchantNo: to.merchantNo }, { password }),
		purpose: kind === 'initial' ? 'INITIAL_PASSWORD' : 'OPERATOR_PASSWORD_RESET'
	});
}
