// Masking of personal data, applied on the server so the full values never reach a browser.
// The one place the mask rules live: lists, details, operators, the sign-in log and log lines
// call the functions; exports and statements, which mask in SQL, build their expressions with
// the *Sql twins below, so a rule changes here once and every output follows.
// The rules are the manual's: names hide the first character (*李文, *佳), phones keep 3 + 4
// (177****5204), ID numbers 4 + 4 (6105**********3634), card numbers the bank's 6-digit prefix
// and the last four (621700******1234).

/** 张李文 → *李文, 李佳 → *佳, 欧阳小明 → *阳小明; a one-character name is masked to '*'. */
export function maskName(name: string | null | undefined): string {
	if (!name) return '';
	const chars = [...name];
	return '*' + chars.slice(1).join('');
}

/** 17712345204 → 177****5204 */
export function maskPhone(phone: string | null | undefined): string {
	if (!phone) return '';
	if (phone.length < 8) return '*'.repeat(phone.length);
	return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** 610500199001013634 → 6105**********3634 (first 4, last 4). */
export function maskIdNo(idNo: string | null | undefined): string {
	if (!idNo) return '';
	if (idNo.length <= 8) return idNo.slice(0, 1) + '*'.repeat(Math.max(0, idNo.length - 2)) + idNo.slice(-1);
	return idNo.slice(0, 4) + '*'.repeat(idNo.length - 8) + idNo.slice(-4);
}

/**
 * 6217001234561234 → 621700******1234: the bank's 6-digit prefix (BIN) and the last four, one
 * star per hidden digit. Shorter than 12 (no card is), only the last four stay.
 */
export function maskCardNo(cardNo: string | null | undefined): string {
	if (!cardNo) return '';
	if (cardNo.length < 12) return '*'.repeat(Math.max(0, cardNo.length - 4)) + cardNo.slice(-4);
	return cardNo.slice(0, 6) + '*'.repeat(cardNo.length - 10) + cardNo.slice(-4);
}

// The same rules as SQL expressions over a text expression `e` (a column or a subquery the caller
// wrote, never user input). NULL and '' give ''.

export function maskNameSql(e: string): string {
	return `CASE WHEN coalesce(${e}, '') = '' THEN '' ELSE '*' || substr(${e}, 2) END`;
}

export function maskPhoneSql(e: string): string {
	const n = `char_length(${e})`;
	return `CASE WHEN coalesce(${e}, '') = '' THEN '' WHEN ${n} < 8 THEN repeat('*', ${n}) ELSE left(${e}, 3) || repeat('*', ${n} - 7) || right(${e}, 4) END`;
}

export function maskIdNoSql(e: string): string {
	const n = `char_length(${e})`;
	return `CASE WHEN coalesce(${e}, '') = '' THEN '' WHEN ${n} <= 8 THEN left(${e}, 1) || repeat('*', greatest(0, ${n} - 2)) || right(${e}, 1) ELSE left(${e}, 4) || repeat('*', ${n} - 8) || right(${e}, 4) END`;
}

export function maskCardNoSql(e: string): string {
	const n = `char_length(${e})`;
	return `CASE WHEN coalesce(${e}, '') = '' THEN '' WHEN ${n} < 12 THEN repeat('*', greatest(0, ${n} - 4)) || right(${e}, 4) ELSE left(${e}, 6) || repeat('*', ${n} - 10) || right(${e}, 4) END`;
}
