// 用户管理: filter, row and detail shapes. Names, phones, ID and card numbers arrive masked.
import { z } from 'zod';
import { enumFilter, ID_TYPES, listInput, textFilter, timeFilter, USER_STATUSES, USER_TYPES, withRangeCheck } from './lists.ts';

export const userFilterObject = z.object({
	/** 用户号 (exact) */
	userNo: textFilter,
	/** 用户名称 (exact) */
	name: textFilter,
	/** 开户手机号 (exact) */
	phone: textFilter,
	/** 用户类型 */
	userType: enumFilter(USER_TYPES),
	/** 用户状态 */
	status: enumFilter(USER_STATUSES),
	/** 证件类型 */
	idType: enumFilter(ID_TYPES),
	/** 证件号码 (exact) */
	idNo: textFilter,
	/** 注册日期 range: no default, no limit */
	from: timeFilter,
	to: timeFilter
});
export const userFilter = withRangeCheck(userFilterObject, { from: 'from', to: 'to' }, {}).prefault({});
export type UserFilter = z.output<typeof userFilterObject>;

export function defaultUserFilter(): UserFilter {
	return { userNo: '', name: '', phone: '', userType: '', status: '', idType: '', idNo: '', from: '', to: '' };
}

export const userListInput = listInput(userFilter);

export interface UserRow {
	id: bigint;
	userNo: string;
	/** masked: *佳 / *李文 */
	name: string;
	/** masked: 177****5204 */
	phone: string;
	userType: string;
	status: string;
	idType: string;
	/** masked: 6105**********3634 */
	idNo: string;
	registeredAt: Date;
}

export interface UserCard {
	id: bigint;
	/** masked: 621700******1234 */
	cardNo: string;
	cardType: 'DEBIT' | 'CREDIT';
	bankName: string;
	/** masked */
	reservedPhone: string;
	status: 'BOUND' | 'UNBOUND';
	boundAt: Date;
	updatedAt: Date;
}

export interface UserDetail extends UserRow {
	// 用户开户信息
	idExpiry: string | null;
	occupation: string | null;
	createdAt: Date;
	// 用户账户信息 (USEROWN, fen)
	account: { total: bigint; psettle: bigint; available: bigint };
	// 用户绑卡信息
	cards: UserCard[];
}
