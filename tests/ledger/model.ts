// A plain in-memory model of the ledger's posting rules, written independently of the
// implementation: the property test runs random operations on both and compares.
type Key = string;
export const K = {
	clearing: 'CLEARING:AVAILABLE:',
	m: (t: string, sub: 'PSETTLE' | 'AVAILABLE') => `${t}:${sub}:`,
	u: (u: bigint, sub: 'PSETTLE' | 'AVAILABLE') => `USEROWN:${sub}:${u}`
};

export type Outcome = { ok: true; moved: boolean } | { ok: false; key: string };

export interface MPayment {
	no: string;
	txnType: string;
	status: string;
	amount: bigint;
	coupon: bigint;
	fee: bigint;
	payer: Key; // the account the cash part came from
	payee: Key; // the account credited
	sources: Key[]; // where a refund takes money back from
	payeeUser: bigint | null;
	refunded: bigint;
	confirmed: bigint;
}
export interface MRefund {
	no: string;
	payment: MPayment;
	amount: bigint;
	status: string;
}
export interface MWithdrawal {
	no: string;
	source: Key;
	amount: bigint;
	fee: bigint;
	status: string;
}

class Refused extends Error {
	constructor(readonly key: string) {
		super(key);
	}
}

export class LedgerModel {
	bal = new Map<Key, bigint>();
	payments: MPayment[] = [];
	refunds: MRefund[] = [];
	withdrawals: MWithdrawal[] = [];

	get(k: Key): bigint {
		return this.bal.get(k) ?? 0n;
	}

	/** Runs fn on a copy of the balances; keeps them only if fn does not refuse. */
	attempt(fn: (b: Map<Key, bigint>) => void): Outcome {
		const copy = new Map(this.bal);
		try {
			fn(copy);
		} catch (e) {
			if (e instanceof Refused) return { ok: false, key: e.key };
			throw e;
		}
		this.bal = copy;
		return { ok: true, moved: true };
	}

	static move(b: Map<Key, bigint>, from: Key, to: Key, amount: bigint) {
		if (amount === 0n) return;
		const after = (b.get(from) ?? 0n) - amount;
		if (after < 0n && !from.startsWith('CLEARING')) throw new Refused('ledger.insufficientFunds');
		b.set(from, after);
		b.set(to, (b.get(to) ?? 0n) + amount);
	}

	static refuse(key: string): never {
		throw new Refused(key);
	}

	pendingRefunds(p: MPayment): bigint {
		return this.refunds.filter((r) => r.payment === p && r.status === 'TRADE_PROCESSING').reduce((s, r) => s + r.amount, 0n);
	}

	refundable(p: MPayment): bigint {
		return p.amount - p.refunded - (p.txnType === 'SECURED_CONSUME' ? p.confirmed : 0n);
	}

	/** The money of a successful payment (or a completed waiting one). */
	payMoney(p: MPayment, original?: MPayment): Outcome {
		return this.attempt((b) => {
			if (original) {
				const left = original.amount - original.confirmed - original.refunded - this.pendingRefunds(original);
				if (p.amount > left) LedgerModel.refuse('ledger.confirmExceeds');
			}
			LedgerModel.move(b, p.payer, p.payee, p.amount - p.coupon);
			LedgerModel.move(b, K.m('MCHCOUPON', 'AVAILABLE'), p.payee, p.coupon);
			LedgerModel.move(b, K.m('MCHFEE', 'AVAILABLE'), K.clearing, p.fee);
			if (original) original.confirmed += p.amount;
		});
	}

	refundMoney(r: MRefund): Outcome {
		const p = r.payment;
		return this.attempt((b) => {
			if (r.amount > this.refundable(p)) LedgerModel.refuse('ledger.refundExceeds');
			let rest = r.amount;
			const taken: [Key, bigint][] = p.sources.map((s) => {
				const bal = b.get(s) ?? 0n;
				const take = bal <= 0n ? 0n : rest < bal ? rest : bal;
				rest -= take;
				return [s, take];
			});
			if (rest > 0n) LedgerModel.refuse('ledger.insufficientFunds');
			const cash = p.amount - p.coupon;
			const cashLeft = cash - (p.refunded < cash ? p.refunded : cash);
			const cashPart = r.amount < cashLeft ? r.amount : cashLeft;
			for (const [s, t] of taken) b.set(s, (b.get(s) ?? 0n) - t);
			b.set(p.payer, (b.get(p.payer) ?? 0n) + cashPart);
			const couponKey = K.m('MCHCOUPON', 'AVAILABLE');
			b.set(couponKey, (b.get(couponKey) ?? 0n) + r.amount - cashPart);
			p.refunded += r.amount;
		});
	}

	withdrawMoney(w: MWithdrawal, back = false): Outcome {
		return this.attempt((b) => {
			if (back) {
				LedgerModel.move(b, K.clearing, w.source, w.amount);
				LedgerModel.move(b, K.clearing, K.m('MCHFEE', 'AVAILABLE'), w.fee);
			} else {
				LedgerModel.move(b, w.source, K.clearing, w.amount);
				LedgerModel.move(b, K.m('MCHFEE', 'AVAILABLE'), K.clearing, w.fee);
			}
		});
	}

	settle() {
		for (const [k, v] of [...this.bal]) {
			if (!k.includes(':PSETTLE:') || v <= 0n) continue;
			const twin = k.replace(':PSETTLE:', ':AVAILABLE:');
			this.bal.set(twin, this.get(twin) + v);
			this.bal.set(k, 0n);
		}
	}
}
