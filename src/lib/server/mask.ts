// Masking of personal data, applied on the server so the full values never reach a browser.
// The one place masks are defined: lists, details, operators, the sign-in log and SMS log lines.
// (Exports and statements mask in SQL with the same rules: exports/specs.ts maskSql.)

/** 张三 → *三, 李佳 → *佳, 张小三 → 张*三, 欧阳小明 → 欧**明; one character stays as it is masked to '*'. */
export function maskName(name: string | null | undefined): string {
	if (!name) return '';
	const chars = [...name];
	if (chars.length === 1) return '*';
	if (chars.length === 2) return `*${chars[1]}`;
	return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
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

/** 6222021234561234 → 6222 **** **** 1234 (first 4, last 4, the middle as groups of stars). */
export function maskCardNo(cardNo: string | null | undefined): string {
	if (!cardNo) return '';
	if (cardNo.length <= 8) return maskIdNo(cardNo);
	return `${cardNo.slice(0, 4)} **** **** ${cardNo.slice(-4)}`;
}
