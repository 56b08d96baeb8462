// A feature's DomainError is answered once, by api/init.ts, for every procedure: a refusal
// with its own code and catalogue key (every refused field named when it has them), through
// the HTTP error formatter in the person's language; an internal one stays an internal error.
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { createCallerFactory, protectedProcedure, publicProcedure, router } from '#shared/server/api/init.ts';
import { DomainError } from '#shared/server/domain-error.ts';
import { KeyInputError } from '#shared/server/keys/errors.ts';
import { LedgerError } from '#shared/server/ledger/errors.ts';
import { ListFilterError, ListRefNotFound } from '#shared/server/lists/errors.ts';
import { Refused } from '#shared/server/refused.ts';
import { SecretDecryptError } from '#shared/server/crypto/secrets.ts';
import { HashingBusyError } from '#shared/server/auth/password.ts';
import { signedIn } from '../fixtures/context.ts';

const raising = (e: Error) => protectedProcedure.meta({ permission: 'authenticated' }).query(() => Promise.reject(e));
const throwaway = router({
	refused: raising(new Refused('TOO_MANY_REQUESTS', 'exports.tooMany', { max: 3 })),
	listRange: raising(new ListFilterError('lists.rangeTooLong')),
	listRef: raising(new ListRefNotFound()),
	ledger: raising(new LedgerError('ledger.insufficientFunds', 'balance 5 < 7')),
	ledgerMissing: raising(new LedgerError('ledger.orderNotFound')),
	keyFields: raising(
		new KeyInputError([
			{ field: 'mchId', key: 'keys.signTypeInvalid' },
			{ field: 'apiKey', key: 'keys.bits', params: { bits: 2048 } }
		])
	),
	keyBusy: raising(new KeyInputError([{ field: 'certP12Base64', key: 'keys.parseBusy' }])),
	hashing: publicProcedure.meta({ permission: 'public' }).query(() => Promise.reject(new HashingBusyError())),
	internal: raising(new SecretDecryptError('k1', 'authentication failed'))
});

const merchant = { id: 1n, merchant_no: '0000000000000001', name: '测试商户' };
const staff = { id: 1n, name: '管理员', phone: '13900000000', is_admin: true, must_change_password: false };
const caller = createCallerFactory(throwaway)({ db: getDb(), auth: signedIn(merchant, staff), locale: 'zh-CN', ip: null, userAgent: null });

async function refusal(p: Promise<unknown>) {
	const e = await p.then(
		() => null,
		(err: unknown) => err
	);
	expect(e).toBeInstanceOf(TRPCError);
	const t = e as TRPCError;
	return { code: t.code, message: t.message, params: (t.cause as { params?: unknown } | undefined)?.params, issues: (t.cause as { issues?: unknown } | undefined)?.issues };
}

describe('DomainError → tRPC, once for every procedure', () => {
	it('a refusal keeps its code, catalogue key and placeholders', async () => {
		expect(await refusal(caller.refused())).toEqual({ code: 'TOO_MANY_REQUESTS', message: 'exports.tooMany', params: { max: 3 }, issues: undefined });
		expect(await refusal(caller.listRange())).toMatchObject({ code: 'BAD_REQUEST', message: 'lists.rangeTooLong' });
		expect(await refusal(caller.listRef())).toMatchObject({ code: 'NOT_FOUND', message: 'error.notFound' });
	});

	it('a ledger refusal: CONFLICT for what the state forbids, NOT_FOUND for what is missing; the detail stays in the log', async () => {
		expect(await refusal(caller.ledger())).toMatchObject({ code: 'CONFLICT', message: 'ledger.insufficientFunds' });
		expect(await refusal(caller.ledgerMissing())).toMatchObject({ code: 'NOT_FOUND', message: 'ledger.orderNotFound' });
	});

	it('refused key input names every field; the parse workers full is TOO_MANY_REQUESTS without fields', async () => {
		expect(await refusal(caller.keyFields())).toEqual({
			code: 'BAD_REQUEST',
			message: 'keys.signTypeInvalid',
			params: {},
			issues: [
				{ field: 'mchId', key: 'keys.signTypeInvalid' },
				{ field: 'apiKey', key: 'keys.bits', params: { bits: 2048 } }
			]
		});
		expect(await refusal(caller.keyBusy())).toEqual({ code: 'TOO_MANY_REQUESTS', message: 'keys.parseBusy', params: undefined, issues: undefined });
	});

	it('the password-hashing gate full is TOO_MANY_REQUESTS auth.busy, on public procedures too', async () => {
		expect(await refusal(caller.hashing())).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: 'auth.busy' });
	});

	it('an internal one (a secret that cannot be decrypted) stays INTERNAL_SERVER_ERROR with the error itself as the cause', async () => {
		const e = await caller.internal().then(
			() => null,
			(err: unknown) => err as TRPCError
		);
		expect(e?.code).toBe('INTERNAL_SERVER_ERROR');
		expect(e?.cause).toBeInstanceOf(SecretDecryptError);
		expect(e?.cause).toBeInstanceOf(DomainError);
	});
});
