// The only place amounts are turned into text or parsed from text. Amounts are integer
// fen (分) as bigint everywhere else; no float ever touches them.

const FEN_PER_YUAN = 100n;

/** 1242n → "12.42"; -5n → "-0.05"; with grouping: 123456789n → "1,234,567.89". */
export function formatYuan(fen: bigint, opts: { grouping?: boolean } = {}): string {
	const negative = fen < 0n;
	const abs = negative ? -fen : fen;
	let whole = (abs / FEN_PER_YUAN).toString();
	const cents = (abs % FEN_PER_YUAN).toString().padStart(2, '0');
	if (opts.grouping) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
	return `${negative ? '-' : ''}${whole}.${cents}`;
}

/** "12.42元" in zh-CN, "¥12.42" in English. */
export function formatYuanLabel(fen: bigint, locale: 'zh-CN' | 'en' = 'zh-CN'): string {
	const s = formatYuan(fen, { grouping: true });
	return locale === 'en' ? `¥${s}` : `${s}元`;
}

const YUAN_PATTERN = /^(-)?(\d{1,15})(?:\.(\d{1,2}))?$/;

/** "12.4" → 1240n. Returns null for anything that is not a plain decimal with ≤ 2 places. */
export function parseYuan(text: string): bigint | null {
	const m = YUAN_PATTERN.exec(text.trim().replace(/,/g, ''));
	if (!m) return null;
	const fen = BigInt(m[2]) * FEN_PER_YUAN + BigInt((m[3] ?? '').padEnd(2, '0'));
	return m[1] ? -fen : fen;
}
