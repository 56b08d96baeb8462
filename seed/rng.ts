// A small seeded PRNG so demo data is the same on every run (Math.random never appears here).

export class Rng {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** mulberry32: fast, 32-bit state, good enough for demo data. */
	next(): number {
		let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** Integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	/** Picks by weight: [[value, weight], ...]. */
	weighted<T>(entries: readonly (readonly [T, number])[]): T {
		const total = entries.reduce((s, [, w]) => s + w, 0);
		let r = this.next() * total;
		for (const [v, w] of entries) {
			r -= w;
			if (r < 0) return v;
		}
		return entries[entries.length - 1][0];
	}

	digits(n: number): string {
		let s = '';
		for (let i = 0; i < n; i++) s += String(this.int(0, 9));
		return s;
	}

	/**
	 * An amount in fen between min and max yuan, skewed to small values the way real
	 * orders are (log-uniform), rounded to whole yuan most of the time.
	 */
	amountFen(minYuan: number, maxYuan: number): bigint {
		const lo = Math.log(minYuan);
		const hi = Math.log(maxYuan);
		const yuan = Math.floor(Math.exp(lo + this.next() * (hi - lo)));
		const fen = this.chance(0.6) ? 0 : this.int(0, 99);
		return BigInt(Math.max(1, yuan)) * 100n + BigInt(fen);
	}
}
