// Live traffic for a running server: drives the signed ingest API the way the payment core
// would. npm run simulate -- --rate 5 --duration 60 --merchant 2018062800003003
import { parseArgs } from 'node:util';
import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { bankCard, idCardNo, phone, unifiedCode } from '#seed/identity.ts';
import { Rng } from '#seed/rng.ts';
import { ingestPath, ingestSecret, signatureHeaders } from '../src/lib/server/ingest/signature.ts';

const { values: args } = parseArgs({
	options: {
		rate: { type: 'string', default: '5' },
		duration: { type: 'string', default: '60' },
		merchant: { type: 'string', default: '2018062800003003' },
		url: { type: 'string', default: process.env.BASE_URL || 'http://127.0.0.1:3000' },
		seed: { type: 'string' }
	}
});

const BASE_URL = args.url!.replace(/\/$/, '');
const RATE = Math.max(0.1, Number(args.rate));
const DURATION_S = Math.max(1, Number(args.duration));
const MERCHANT_NO = args.merchant!;
const SECRET = ingestSecret();
const seed = Number(args.seed ?? Date.now() % 2 ** 31);
const rng = new Rng(seed);
const faker = new Faker({ locale: [zh_CN, en, base], seed });
// Numbers unique across runs: the run's start second plus a counter.
const RUN = String(Math.floor(Date.now() / 1000)).slice(-8);
let counter = 0;
const nextNo = (prefix: string) => `${prefix}${RUN}${String(++counter).padStart(6, '0')}`;

interface SimUser {
	userNo: string;
	cardNo: string;
	bankName: string;
	name: string;
}
interface Pending {
	kind: 'payment' | 'refund' | 'withdrawal';
	txnNo: string;
	dueAt: number;
}

const users: SimUser[] = [];
const successfulPayments: { txnNo: string; amount: bigint; secured: boolean; userNo: string }[] = [];
const pending: Pending[] = [];
const stats = { sent: 0, ok: 0, replay: 0, refused: 0, errors: 0, byKind: new Map<string, number>(), refusedBy: new Map<string, number>() };

type Body = Record<string, string | number | null | undefined>;

async function send(kind: string, body: Body): Promise<{ status: number; json: { ok: boolean; code?: string; message?: string; created?: boolean } }> {
	const raw = JSON.stringify({ merchant_no: MERCHANT_NO, ...body });
	stats.sent++;
	stats.byKind.set(kind, (stats.byKind.get(kind) ?? 0) + 1);
	try {
		const path = ingestPath(kind);
		const res = await fetch(`${BASE_URL}${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...signatureHeaders(SECRET, { method: 'POST', path, body: raw }) },
			body: raw
		});
		const json = (await res.json()) as { ok: boolean; code?: string; message?: string; created?: boolean };
		if (res.status === 200) {
			if (json.created) stats.ok++;
			else stats.replay++;
		} else if (res.status === 409) {
			// Refusals such as insufficient funds are the ledger doing its job, not failures.
			stats.refused++;
			stats.refusedBy.set(json.code ?? '?', (stats.refusedBy.get(json.code ?? '?') ?? 0) + 1);
		} else {
			stats.errors++;
			console.error(`✗ ${kind} ${res.status} ${json.code}: ${json.message}`);
		}
		return { status: res.status, json };
	} catch (e) {
		stats.errors++;
		console.error(`✗ ${kind}: ${(e as Error).message}`);
		return { status: 0, json: { ok: false } };
	}
}

async function newUser(): Promise<void> {
	const company = rng.chance(0.1);
	const userNo = nextNo('SIM');
	const name = company ? faker.company.name() : faker.person.fullName();
	const p = phone(rng);
	const r = await send('users', {
		user_no: userNo,
		user_type: company ? 'INNERCOMPANY' : 'INNERUSER',
		name,
		phone: p,
		id_type: company ? 'UNIFIED_CODE' : 'ID_CARD',
		id_no: company ? unifiedCode(rng) : idCardNo(rng),
		occupation: company ? null : '企业职员'
	});
	if (r.status !== 200) return;
	const card = bankCard(rng, { debitOnly: true });
	const c = await send('cards', { user_no: userNo, card_no: card.cardNo, card_type: card.cardType, bank_name: card.bankName, reserved_phone: p });
	if (c.status === 200) users.push({ userNo, cardNo: card.cardNo, bankName: card.bankName, name });
}

const CHANNELS = ['WECHAT_APP', 'WECHAT_JSAPI', 'ALIPAY_APP', 'ALIPAY_H5', 'EBANK_DEBIT_CARD'];

async function payment(txnType: string, user: SimUser, amount: bigint, extra: Body = {}): Promise<string | null> {
	const txnNo = nextNo('');
	const wait = rng.chance(0.15);
	const r = await send('payments', {
		platform_txn_no: txnNo,
		merchant_order_no: nextNo('MO'),
		txn_type: txnType,
		status: wait ? 'TRADE_WAIT_PAY' : 'TRADE_SUCCESS',
		amount: amount.toString(),
		user_no: user.userNo,
		order_info: faker.commerce.productName(),
		...extra
	});
	if (r.status !== 200) return null;
	if (wait) pending.push({ kind: 'payment', txnNo, dueAt: Date.now() + rng.int(2, 20) * 1000 });
	else if (txnType !== 'USER_TOPUP')
		successfulPayments.push({ txnNo, amount, secured: txnType === 'SECURED_CONSUME', userNo: user.userNo });
	return txnNo;
}

async function step(): Promise<void> {
	if (users.length < 5 || rng.chance(0.03)) return newUser();
	const user = rng.pick(users);
	const action = rng.weighted([
		['topup', 25],
		['consume', 35],
		['secured', 10],
		['confirm', 8],
		['refund', 8],
		['withdraw', 6],
		['payout', 3],
		['replay', 5]
	] as const);
	switch (action) {
		case 'topup':
			await payment('USER_TOPUP', user, rng.amountFen(50, 5000), { pay_method: rng.pick(CHANNELS) });
			return;
		case 'consume': {
			const amount = rng.amountFen(5, 800);
			// Top-ups stay 待结算 until the day's settlement, so fresh users mostly pay by channel.
			const balance = rng.chance(0.1);
			await payment('GENERAL_CONSUME', user, amount, {
				// No fee or coupon legs: the ledger has no way to fund MCHFEE / MCHCOUPON yet.
				pay_method: balance ? 'BALANCE' : rng.pick(CHANNELS)
			});
			return;
		}
		case 'secured':
			await payment('SECURED_CONSUME', user, rng.amountFen(20, 2000), { pay_method: rng.pick(CHANNELS) });
			return;
		case 'confirm': {
			const orig = successfulPayments.find((p) => p.secured);
			if (!orig) return;
			orig.secured = false;
			const amount = rng.chance(0.7) ? orig.amount : orig.amount / 2n || 1n;
			await send('payments', {
				platform_txn_no: nextNo(''),
				merchant_order_no: nextNo('MC'),
				txn_type: 'SECURED_CONFIRM',
				status: 'TRADE_SUCCESS',
				amount: amount.toString(),
				original_platform_txn_no: orig.txnNo
			});
			return;
		}
		case 'refund': {
			const i = successfulPayments.findIndex((p) => !p.secured);
			if (i < 0) return;
			// each payment is refunded at most once here, so the cap is never the reason to refuse
			const [orig] = successfulPayments.splice(i, 1);
			const txnNo = nextNo('');
			const r = await send('refunds', {
				platform_txn_no: txnNo,
				refund_no: nextNo('RF'),
				original_platform_txn_no: orig.txnNo,
				amount: (rng.chance(0.5) ? orig.amount : orig.amount / 3n || 1n).toString(),
				status: 'TRADE_PROCESSING',
				reason: rng.pick(['商品缺货', '用户取消订单', '重复支付', '商品质量问题'])
			});
			if (r.status === 200) pending.push({ kind: 'refund', txnNo, dueAt: Date.now() + rng.int(2, 15) * 1000 });
			return;
		}
		case 'withdraw': {
			const txnNo = nextNo('');
			const r = await send('withdrawals', {
				platform_txn_no: txnNo,
				merchant_order_no: nextNo('WD'),
				txn_type: 'ACCT_CASH_OUT',
				status: 'TRADE_CHECKING',
				amount: rng.amountFen(10, 500).toString(),
				// a user's balance becomes withdrawable only after settlement: mostly the merchant's own funds
				user_no: rng.chance(0.2) ? user.userNo : null,
				card_no: user.cardNo,
				bank_name: user.bankName,
				payee_name: user.name
			});
			if (r.status === 200) pending.push({ kind: 'withdrawal', txnNo, dueAt: Date.now() + rng.int(3, 30) * 1000 });
			return;
		}
		case 'payout': {
			const txnNo = nextNo('');
			const card = bankCard(rng, { debitOnly: true });
			const r = await send('withdrawals', {
				platform_txn_no: txnNo,
				merchant_order_no: nextNo('PO'),
				txn_type: 'OUTER_FUND_EXCHANGE',
				status: 'TRADE_CHECKING',
				amount: rng.amountFen(10, 300).toString(),
				card_no: card.cardNo,
				bank_name: card.bankName,
				payee_name: faker.person.fullName()
			});
			if (r.status === 200) pending.push({ kind: 'withdrawal', txnNo, dueAt: Date.now() + rng.int(3, 30) * 1000 });
			return;
		}
		case 'replay': {
			// The payment core retries: the same number again must not post twice.
			const orig = successfulPayments.length ? rng.pick(successfulPayments) : null;
			if (orig) await send('payment-status', { platform_txn_no: orig.txnNo, status: 'TRADE_SUCCESS' });
			return;
		}
	}
}

async function settlePending(): Promise<void> {
	const now = Date.now();
	for (let i = pending.length - 1; i >= 0; i--) {
		const p = pending[i];
		if (p.dueAt > now) continue;
		pending.splice(i, 1);
		if (p.kind === 'payment')
			await send('payment-status', { platform_txn_no: p.txnNo, status: rng.chance(0.8) ? 'TRADE_SUCCESS' : 'TRADE_CLOSE' });
		else if (p.kind === 'refund')
			await send('refund-status', { platform_txn_no: p.txnNo, status: rng.chance(0.9) ? 'TRADE_SUCCESS' : 'TRADE_FAILURE' });
		else {
			const status = rng.weighted([
				['TRADE_SUCCESS', 85],
				['TRADE_FAILURE', 10],
				['TRADE_CANCEL', 5]
			] as const);
			if (status === 'TRADE_CANCEL') {
				// a bank return comes after the payout looked successful
				await send('withdrawal-status', { platform_txn_no: p.txnNo, status: 'TRADE_SUCCESS' });
			}
			await send('withdrawal-status', { platform_txn_no: p.txnNo, status });
		}
	}
}

async function main(): Promise<void> {
	console.log(`simulating ${RATE}/s for ${DURATION_S}s against ${BASE_URL} (merchant ${MERCHANT_NO}, seed ${seed})`);
	const end = Date.now() + DURATION_S * 1000;
	const interval = 1000 / RATE;
	let nextAt = Date.now();
	let lastReport = Date.now();
	while (Date.now() < end) {
		await step();
		await settlePending();
		if (Date.now() - lastReport >= 5000) {
			lastReport = Date.now();
			console.log(`sent ${stats.sent}  created ${stats.ok}  replays ${stats.replay}  refused(409) ${stats.refused}  errors ${stats.errors}`);
		}
		nextAt += interval;
		const wait = nextAt - Date.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
	}
	console.log(`done: sent ${stats.sent}, created ${stats.ok}, replays ${stats.replay}, refused ${stats.refused}, errors ${stats.errors}`);
	console.log('requests by kind', Object.fromEntries(stats.byKind));
	if (stats.refusedBy.size) console.log('refusals by code', Object.fromEntries(stats.refusedBy));
	process.exitCode = stats.errors > 0 ? 1 : 0;
}

await main();
