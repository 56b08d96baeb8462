// 导出 of the payment-key tables and of 导出记录 (issue 12, point 11): each file holds what its
// table shows — the key tabs' secrets only as 已设置/未设置, never a box, fingerprint or another
// merchant's entry; 导出记录 as each person sees it (the admin: the merchant's, an operator: their
// own). The key tabs are exported under their write permission or 支付密钥列表, nothing else.
import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '#db';
import { translate, type MessageKey } from '#shared/i18n/messages.ts';
import { validateSessionToken } from '#shared/server/auth/session.ts';
import { authorizeFileDownload } from '#shared/server/downloads.ts';
import { QUEUES } from '#shared/server/queue/jobs.ts';
import { closeQueues, getQueue } from '#shared/server/queue/queues.ts';
import { csvId, parseCsv } from '../fixtures/csv.ts';
import { refusal } from '../fixtures/outcome.ts';
import { adminWorld, operatorWith } from '../team/helpers.ts';
import { exportAndBuild } from './helpers.ts';

const db = getDb();
const zh = (key: MessageKey) => translate('zh-CN', key);

afterAll(async () => {
	await getQueue(QUEUES.EXPORTS).obliterate({ force: true }).catch(() => {});
	await closeQueues();
});

/** Text no export may carry: stand-ins for sealed secrets and their fingerprints. */
const SECRET_MARK = 'SEALED-SECRET-7f3a';
const FP_MARK = 'FINGERPRINT-9c1d';
const box = (n: number) => ({ v: 1, iv: `${SECRET_MARK}-iv-${n}`, ct: `${SECRET_MARK}-ct-${n}`, tag: `${SECRET_MARK}-tag-${n}` });

async function addKey(merchantId: bigint, provider: 'WECHAT' | 'ALIPAY', externalId: string, secrets: string[], opts: { publicFields?: Record<string, unknown>; createdAt?: Date } = {}) {
	return db
		.insertInto('payment_keys')
		.values({
			merchant_id: merchantId,
			provider,
			external_id: externalId,
			appid: provider === 'WECHAT' ? 'wx0123456789abcdef' : '2021000000000001',
			sign_type: 'RSA2',
			public_fields: JSON.stringify(opts.publicFields ?? {}),
			secret_fields: JSON.stringify(Object.fromEntries(secrets.map((s, i) => [s, box(i)]))),
			fingerprints: JSON.stringify(Object.fromEntries(secrets.map((s) => [s, `${FP_MARK}-${s}`]))),
			valid_from: provider === 'WECHAT' ? new Date('2026-01-01T00:00:00Z') : null,
			valid_to: provider === 'WECHAT' ? new Date('2031-01-01T00:00:00Z') : null,
			created_at: opts.createdAt ?? new Date()
		})
		.returning('id')
		.executeTakeFirstOrThrow();
}

function csv(bytes: Buffer) {
	const text = bytes.toString('utf8');
	const [header, ...rows] = parseCsv(text.slice(1));
	return { text, header, rows };
}

describe('导出 of the payment-key tables', () => {
	it('微信: every entry of the merchant, newest first, secrets as 已设置/未设置 and nothing of them', async () => {
		const { merchant, caller } = await adminWorld(db);
		const other = await adminWorld(db);
		await addKey(merchant.id, 'WECHAT', '1900000001', ['apiKey', 'certP12', 'certPassword'], { createdAt: new Date('2026-03-01T00:00:00Z') });
		await addKey(merchant.id, 'WECHAT', '1900000002', ['apiKey'], { createdAt: new Date('2026-04-01T00:00:00Z') });
		await addKey(merchant.id, 'ALIPAY', '2088000000000001', ['privateKey', 'md5Key']);
		await addKey(other.merchant.id, 'WECHAT', '1900000099', ['apiKey', 'certP12', 'certPassword']);

		const { text, header, rows } = csv((await exportAndBuild(caller, { list: 'wechatKeys', format: 'CSV', filter: {}, columns: [] })).bytes);
		expect(header).toEqual(
			['keys.wechat.mchId', 'keys.appid', 'keys.signType', 'keys.wechat.apiKey', 'keys.wechat.certP12', 'keys.wechat.certPassword', 'keys.wechat.certValidFrom', 'keys.wechat.certValidTo', 'keys.col.status', 'keys.col.createdAt', 'keys.col.updatedAt', 'keys.col.updatedBy'].map((k) => zh(k as MessageKey))
		);
		expect(rows.map((r) => r.slice(0, 6))).toEqual([
			['1900000002', 'wx0123456789abcdef', 'RSA2', '已设置', '未设置', '未设置'],
			['1900000001', 'wx0123456789abcdef', 'RSA2', '已设置', '已设置', '已设置']
		]);
		expect(rows[0][6]).toBe('2026-01-01 08:00:00');
		expect(rows[0][8]).toBe(zh('keys.status.ENABLED'));
		for (const leak of [SECRET_MARK, FP_MARK, '1900000099', '2088000000000001', 'secret_fields', '"iv"']) expect(text).not.toContain(leak);
	});

	it('支付宝: the chosen columns only; the 支付宝公钥 as its size', async () => {
		const { merchant, caller } = await adminWorld(db);
		await addKey(merchant.id, 'ALIPAY', '2088000000000002', ['privateKey'], { publicFields: { privateKeyBits: 2048, alipayPublicKeyPem: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----', alipayPublicKeyBits: 2048 } });
		const { text, header, rows } = csv((await exportAndBuild(caller, { list: 'alipayKeys', format: 'CSV', filter: { anything: 'ignored' }, columns: ['externalId', 'privateKey', 'alipayPublicKey', 'md5Key'] })).bytes);
		expect(header).toEqual([zh('keys.alipay.pid'), zh('keys.alipay.privateKey'), zh('keys.alipay.alipayPublicKey'), zh('keys.alipay.md5Key')]);
		expect(rows).toEqual([[csvId('2088000000000002'), '已设置', '2048 位', '未设置']]);
		for (const leak of [SECRET_MARK, FP_MARK, 'BEGIN PUBLIC KEY', 'MIIB']) expect(text).not.toContain(leak);
	});

	it('the tab’s write permission or 支付密钥列表 may export (and download) it; nothing else may', async () => {
		const { merchant } = await adminWorld(db);
		await addKey(merchant.id, 'WECHAT', '1900000003', ['apiKey']);
		const wechatWriter = await operatorWith(db, merchant.id, ['keys.wechat.write', 'settings.password']);
		const lister = await operatorWith(db, merchant.id, ['keys.list.read', 'settings.password']);
		const trader = await operatorWith(db, merchant.id, ['payments.read', 'settings.password']);

		const { row } = await exportAndBuild(wechatWriter.caller, { list: 'wechatKeys', format: 'CSV', filter: {}, columns: [] });
		expect(await authorizeFileDownload(db, wechatWriter.auth, row.file_id!)).toMatchObject({ auditAction: 'exports.download' });
		expect(await refusal(wechatWriter.caller.exports.create({ list: 'alipayKeys', format: 'CSV', filter: {}, columns: [] }))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		await exportAndBuild(lister.caller, { list: 'wechatKeys', format: 'CSV', filter: {}, columns: [] });
		await exportAndBuild(lister.caller, { list: 'alipayKeys', format: 'CSV', filter: {}, columns: [] });
		for (const list of ['wechatKeys', 'alipayKeys'] as const)
			expect(await refusal(trader.caller.exports.create({ list, format: 'CSV', filter: {}, columns: [] }))).toEqual({ code: 'FORBIDDEN', message: 'error.forbidden' });
		// 导出记录 is everyone's
		await exportAndBuild(trader.caller, { list: 'exports', format: 'CSV', filter: {}, columns: [] });

		// once the permission is gone, so is the file
		await db.deleteFrom('staff_roles').where('staff_id', '=', wechatWriter.staff.id).execute();
		const after = (await validateSessionToken(db, wechatWriter.token))!.auth;
		expect(await authorizeFileDownload(db, after, row.file_id!)).toBeUndefined();
	});
});

describe('导出 of 导出记录', () => {
	it('the admin’s holds every export of the merchant as the page shows them; an operator’s only their own', async () => {
		const { merchant, caller, admin } = await adminWorld(db, '导出记录商户');
		await addKey(merchant.id, 'WECHAT', '1900000004', ['apiKey']);
		await addKey(merchant.id, 'ALIPAY', '2088000000000004', ['privateKey']);
		const op = await operatorWith(db, merchant.id, ['keys.list.read', 'settings.password'], { name: '小王' });
		await exportAndBuild(op.caller, { list: 'alipayKeys', format: 'XLSX', filter: {}, columns: [] });
		await exportAndBuild(caller, { list: 'wechatKeys', format: 'CSV', filter: {}, columns: [] });

		const mine = csv((await exportAndBuild(caller, { list: 'exports', format: 'CSV', filter: {}, columns: ['list', 'format', 'status', 'who'] })).bytes);
		expect(mine.header).toEqual([zh('exports.col.list'), zh('exports.col.format'), zh('exports.col.status'), zh('exports.col.who')]);
		// newest first; the export being built is itself a row of 导出记录 (running as it is written)
		expect(mine.rows).toEqual([
			[zh('exports.list.exports'), 'CSV', zh('exports.status.RUNNING'), admin.name],
			[zh('exports.list.wechatKeys'), 'CSV', zh('exports.status.READY'), admin.name],
			[zh('exports.list.alipayKeys'), 'Excel', zh('exports.status.READY'), '小王']
		]);

		const theirs = csv((await exportAndBuild(op.caller, { list: 'exports', format: 'CSV', filter: {}, columns: [] })).bytes);
		expect(theirs.header).toEqual(
			['exports.col.list', 'exports.col.format', 'exports.col.status', 'exports.col.progress', 'exports.col.rows', 'exports.col.size', 'exports.col.who', 'exports.col.createdAt', 'exports.col.expiresAt'].map((k) => zh(k as MessageKey))
		);
		expect(theirs.rows.map((r) => [r[0], r[6]])).toEqual([
			[zh('exports.list.exports'), '小王'],
			[zh('exports.list.alipayKeys'), '小王']
		]);
		// the built one: 100 %, its rows and size as on the page
		const built = theirs.rows[1];
		expect(built[3]).toBe('100%');
		expect(built[4]).toBe('1 / 1');
		expect(built[5]).toMatch(/^\d+(\.\d)? (B|KB)$/);
	});

	it('an export of chosen rows reads 所选 N 条 in its list cell', async () => {
		const { merchant, caller } = await adminWorld(db);
		const role = await db.insertInto('roles').values({ merchant_id: merchant.id, name: '选中', permissions: ['settings.password'] }).returning('id').executeTakeFirstOrThrow();
		await exportAndBuild(caller, { list: 'roles', format: 'CSV', filter: {}, columns: [], ids: [role.id] });
		const { rows } = csv((await exportAndBuild(caller, { list: 'exports', format: 'CSV', filter: {}, columns: ['list'] })).bytes);
		expect(rows[1]).toEqual([`${zh('exports.list.roles')} · ${translate('zh-CN', 'exports.selectedRows', { count: '1' })}`]);
	});
});
