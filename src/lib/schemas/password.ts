// Password rules and the inputs of every password form, shared by the API and the browser so the
// form can show the rules as the person types. "Not the old one" needs the old password or its
// hash, so only the server checks it (src/lib/server/auth/password-policy.ts).
import { z } from 'zod';
import type { MessageKey } from '../i18n/messages.ts';
import { merchantNoSchema, phoneSchema } from './auth.ts';
import { text } from './common.ts';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 32;
export const RESET_CODE_LENGTH = 6;

export interface PasswordRuleCheck {
	key: MessageKey;
	ok: boolean;
}

/** The rules that need nothing but the password and the person's phone, in the order shown. */
export function passwordRuleChecks(password: string, phone: string | null | undefined): PasswordRuleCheck[] {
	const length = [...password].length;
	return [
		{ key: 'password.rule.length', ok: length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH },
		{ key: 'password.rule.lettersAndDigits', ok: /[A-Za-z]/.test(password) && /[0-9]/.test(password) },
		{ key: 'password.rule.notPhone', ok: password.length > 0 && !(phone && password.includes(phone)) }
	];
}

/** The broken rules, as message keys (empty when the password is acceptable so far). */
export function passwordRuleProblems(password: string, phone: string | null | undefined): MessageKey[] {
	return passwordRuleChecks(password, phone)
		.filter((c) => !c.ok)
		.map((c) => c.key);
}

// No trimming anywhere: spaces may be part of a password (control characters may not).
const newPassword = text().max(128, 'password.rule.length');
const oldPassword = text().min(1, 'password.oldRequired').max(128, 'password.oldWrong');
const confirmPassword = text().max(128, 'password.mismatch');

function checkNewPassword(
	value: { newPassword: string; confirmPassword: string; phone?: string },
	ctx: z.RefinementCtx
): void {
	for (const key of passwordRuleProblems(value.newPassword, value.phone))
		ctx.addIssue({ code: 'custom', path: ['newPassword'], message: key });
	if (value.newPassword !== value.confirmPassword)
		ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'password.mismatch' });
}

/** 原密码 / 新密码 / 再输一次: the initial change and 设置 → 修改密码. The phone rule is checked on the server. */
export const changePasswordSchema = z
	.object({ oldPassword, newPassword, confirmPassword })
	.superRefine(checkNewPassword);
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

/** 找回密码, step 1: 商户号 + 手机号 → 获取验证码. */
export const resetCodeRequestSchema = z.object({ merchantNo: merchantNoSchema, phone: phoneSchema });

/** 找回密码, step 2: the code and the new password twice. */
export const resetPasswordSchema = z
	.object({
		merchantNo: merchantNoSchema,
		phone: phoneSchema,
		code: text({ trim: true }).regex(new RegExp(`^[0-9]{${RESET_CODE_LENGTH}}$`), 'password.forgot.codeFormat'),
		newPassword,
		confirmPassword
	})
	.superRefine(checkNewPassword);
