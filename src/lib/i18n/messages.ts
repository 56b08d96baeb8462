// The one message catalogue. Every string a person reads comes from here, in both
// languages on one line so neither falls behind. `{name}` placeholders are filled by t().
// Add keys in the section of your area; keep sections sorted by area.

export const messages = {
	// app shell
	'app.title': { zh: '商户站', en: 'Merchant Portal' },
	'app.hello': { zh: '您好, {name}', en: 'Hello, {name}' },
	'app.logout': { zh: '退出', en: 'Sign out' },
	'app.language': { zh: 'English', en: '中文' },

	// permission tree (SPEC §5)
	'perm.accounts': { zh: '平台账户', en: 'Platform accounts' },
	'perm.accounts.read': { zh: '平台账户查询', en: 'View platform accounts' },
	'perm.users': { zh: '用户管理', en: 'User management' },
	'perm.users.read': { zh: '用户查询', en: 'Search users' },
	'perm.trade': { zh: '交易管理', en: 'Trade management' },
	'perm.payments.read': { zh: '支付订单查询', en: 'Payment orders' },
	'perm.refunds.read': { zh: '退款订单查询', en: 'Refund orders' },
	'perm.withdrawals.read': { zh: '提现订单查询', en: 'Withdrawal orders' },
	'perm.flows.read': { zh: '资金流水查询', en: 'Fund flows' },
	'perm.downloads': { zh: '下载管理', en: 'Downloads' },
	'perm.statements.download': { zh: '对账单下载', en: 'Statement download' },
	'perm.params': { zh: '参数配置', en: 'Parameters' },
	'perm.keys': { zh: '支付密钥管理', en: 'Payment keys' },
	'perm.keys.platform.write': { zh: '账户+密钥配置', en: 'Platform key settings' },
	'perm.keys.list.read': { zh: '支付密钥列表', en: 'Payment key list' },
	'perm.keys.alipay.write': { zh: '支付宝密钥配置', en: 'Alipay key settings' },
	'perm.keys.wechat.write': { zh: '微信密钥配置', en: 'WeChat Pay key settings' },
	'perm.settings': { zh: '设置', en: 'Settings' },
	'perm.settings.password': { zh: '修改密码', en: 'Change password' },
	'perm.settings.profile': { zh: '个人信息查看', en: 'View profile' },
	'perm.roles.manage': { zh: '角色管理', en: 'Roles' },
	'perm.operators.manage': { zh: '操作员', en: 'Operators' },
	'perm.audit.read': { zh: '审计日志', en: 'Audit log' },

	// errors (tRPC error messages are keys; the formatter translates them)
	'error.unauthorized': { zh: '请先登录', en: 'Please sign in' },
	'error.forbidden': { zh: '您没有此操作的权限', en: 'You do not have permission to do this' },
	'error.notFound': { zh: '记录不存在', en: 'Record not found' },
	'error.badInput': { zh: '输入有误, 请检查后重试', en: 'Please check what you entered' },
	'error.mustChangePassword': { zh: '请先修改初始密码', en: 'Please change your initial password first' },
	'error.internal': { zh: '系统繁忙, 请稍后重试', en: 'Something went wrong, please try again' }
} as const satisfies Record<string, { zh: string; en: string }>;

export type MessageKey = keyof typeof messages;
export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export function isMessageKey(k: string): k is MessageKey {
	return Object.prototype.hasOwnProperty.call(messages, k);
}

export function translate(locale: Locale, key: MessageKey | string, params?: Record<string, string | number>): string {
	const entry = isMessageKey(key) ? messages[key] : undefined;
	let text: string = entry ? (locale === 'en' ? entry.en : entry.zh) : key;
	if (params) for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, String(v));
	return text;
}
