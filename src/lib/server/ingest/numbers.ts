// Money arrives as integer fen. JSON.parse has already lost what the payment core wrote by the
// time the schema sees it: `100.00`, `1e2` and `100` all become the number 100, and
// 9007199254740993 becomes 9007199254740992. So the raw text is read for the number tokens
// themselves. (Node 20's JSON.parse reviver has no `context.source` without a flag.)

/** A number token in the body that is not an exact integer, and the key it was the value of. */
export interface InexactNumber {
	token: string;
	key: string | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function isNumberStart(c: number): boolean {
	return c === 0x2d || (c >= 0x30 && c <= 0x39);
}

function isNumberChar(c: number): boolean {
	// digits, '-', '+', '.', 'e', 'E': the characters a JSON number token is made of
	return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

/**
 * The first number token of `raw` with a fraction or exponent part, or beyond 2^53 − 1 (which a
 * JSON number cannot carry exactly); null when every number is a plain safe integer. `raw` must
 * already be valid JSON (JSON.parse accepted it): the scan only needs to skip strings correctly,
 * escapes included, so digits inside a string never count.
 */
export function firstInexactNumber(raw: string): InexactNumber | null {
	let lastKey: string | null = null;
	for (let i = 0; i < raw.length; i++) {
		const c = raw.charCodeAt(i);
		if (c === QUOTE) {
			let j = i + 1;
			while (j < raw.length && raw.charCodeAt(j) !== QUOTE) j += raw.charCodeAt(j) === BACKSLASH ? 2 : 1;
			const literal = raw.slice(i, j + 1);
			i = j;
			// a string followed by ':' is a key: remember it to name the field in the refusal
			let k = j + 1;
			while (k < raw.length && /\s/.test(raw[k])) k++;
			if (raw.charCodeAt(k) === COLON) lastKey = JSON.parse(literal) as string;
			continue;
		}
		if (isNumberStart(c)) {
			let j = i;
			while (j < raw.length && isNumberChar(raw.charCodeAt(j))) j++;
			const token = raw.slice(i, j);
			if (!/^-?\d+$/.test(token) || !Number.isSafeInteger(Number(token))) return { token, key: lastKey };
			i = j - 1;
		}
		// true, false, null, punctuation and whitespace hold no digits outside strings
	}
	return null;
}
