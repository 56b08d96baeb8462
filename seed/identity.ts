// Realistic-looking Chinese identity data: phones, 身份证 and 统一社会信用代码 with valid
// check characters, bank cards with a real issuer prefix and a Luhn check digit.
import type { Rng } from './rng.ts';

const PHONE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '166', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '199'];

export function phone(rng: Rng): string {
	return rng.pick(PHONE_PREFIXES) + rng.digits(8);
}

// Real district codes, so the first six digits read right to someone who knows them.
const REGIONS = ['110101', '110105', '310104', '310115', '440305', '440106', '330106', '320102', '510107', '420106', '610113', '370202', '350203', '430104', '500103', '120101', '210102', '410105'];

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The 18th character of a 身份证 number (GB 11643). */
export function idCardCheckChar(first17: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
	return ID_CHECK[sum % 11];
}

export function idCardNo(rng: Rng): string {
	const year = rng.int(1960, 2003);
	const month = String(rng.int(1, 12)).padStart(2, '0');
	const day = String(rng.int(1, 28)).padStart(2, '0');
	const first17 = `${rng.pick(REGIONS)}${year}${month}${day}${rng.digits(3)}`;
	return first17 + idCardCheckChar(first17);
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** The 18th character of a 统一社会信用代码 (GB 32100). */
export function unifiedCodeCheckChar(first17: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]) * USCC_WEIGHTS[i];
	return USCC_CHARS[(31 - (sum % 31)) % 31];
}

export function unifiedCode(rng: Rng): string {
	const org8 = rng.digits(8);
	let s = 0;
	for (let i = 0; i < 8; i++) s += Number(org8[i]) * ORG_WEIGHTS[i];
	const c = 11 - (s % 11);
	const orgCheck = c === 10 ? 'X' : c === 11 ? '0' : String(c);
	const first17 = `91${rng.pick(REGIONS)}${org8}${orgCheck}`;
	return first17 + unifiedCodeCheckChar(first17);
}

/** Luhn check digit for a card number body. */
function luhnDigit(body: string): string {
	let sum = 0;
	for (let i = 0; i < body.length; i++) {
		let d = Number(body[body.length - 1 - i]);
		if (i % 2 === 0) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return String((10 - (sum % 10)) % 10);
}

export function luhnValid(cardNo: string): boolean {
	return luhnDigit(cardNo.slice(0, -1)) === cardNo.slice(-1);
}

interface CardIssuer {
	bank: string;
	bin: string;
	length: number;
	type: 'DEBIT' | 'CREDIT';
}

const ISSUERS: readonly CardIssuer[] = [
	{ bank: '工商银行', bin: '622202', length: 19, type: 'DEBIT' },
	{ bank: '建设银行', bin: '621700', length: 19, type: 'DEBIT' },
	{ bank: '农业银行', bin: '622848', length: 19, type: 'DEBIT' },
	{ bank: '中国银行', bin: '621661', length: 19, type: 'DEBIT' },
	{ bank: '招商银行', bin: '622588', length: 16, type: 'DEBIT' },
	{ bank: '交通银行', bin: '622260', length: 19, type: 'DEBIT' },
	{ bank: '浦发银行', bin: '622521', length: 16, type: 'DEBIT' },
	{ bank: '中信银行', bin: '622690', length: 16, type: 'DEBIT' },
	{ bank: '邮储银行', bin: '621799', length: 19, type: 'DEBIT' },
	{ bank: '招商银行', bin: '439225', length: 16, type: 'CREDIT' },
	{ bank: '工商银行', bin: '625965', length: 16, type: 'CREDIT' },
	{ bank: '建设银行', bin: '436742', length: 16, type: 'CREDIT' }
];

export interface CardData {
	cardNo: string;
	bankName: string;
	cardType: 'DEBIT' | 'CREDIT';
}

export function bankCard(rng: Rng, opts: { debitOnly?: boolean } = {}): CardData {
	const pool = opts.debitOnly ? ISSUERS.filter((i) => i.type === 'DEBIT') : ISSUERS;
	const issuer = rng.weighted(pool.map((i) => [i, i.type === 'DEBIT' ? 4 : 1] as const));
	const body = issuer.bin + rng.digits(issuer.length - issuer.bin.length - 1);
	return { cardNo: body + luhnDigit(body), bankName: issuer.bank, cardType: issuer.type };
}

export const OCCUPATIONS = ['教师', '工程师', '医生', '护士', '会计', '销售', '公务员', '个体工商户', '自由职业', '学生', '设计师', '程序员', '律师', '司机', '厨师', '快递员', '退休人员', '企业职员', '农民', '军人'];
