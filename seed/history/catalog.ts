// The words and rhythms of the demo history: channels, products, reasons, and when in a day people pay.
import type { Rng } from '../rng.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const CHANNELS = ['WECHAT_APP', 'WECHAT_JSAPI', 'WECHAT_NATIVE', 'WECHAT_H5', 'ALIPAY_APP', 'ALIPAY_NATIVE', 'ALIPAY_H5', 'ALIPAY_WEB', 'EBANK_DEBIT_CARD', 'AGRT_DEBIT_CARD'];
export const PRODUCTS = ['会员月卡', '年度会员', '精品咖啡豆', '无线耳机', '运动手环', '儿童绘本套装', '有机大米 5kg', '保温杯', '电影票', '话费充值', '外卖订单', '酒店预订', '火车票', '网课课程', '洗护套装', '茶叶礼盒', '充电宝', '机械键盘', '家政服务', '停车费'];
export const REFUND_REASONS = ['用户取消订单', '商品缺货', '重复支付', '商品质量问题', '协商退款', '未按时发货'];
export const PAYOUT_MEMOS = ['供应商货款', '佣金结算', '员工报销', '合作方分润', '活动奖金'];
export const INNER_MEMOS = ['邀请奖励', '活动返现', '分销佣金', '积分兑换'];

/** Hour-of-day weights: quiet at night, busy at lunch and in the evening. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 4, 8, 12, 14, 15, 16, 18, 16, 14, 14, 15, 16, 18, 20, 22, 20, 14, 6];
const HOUR_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

export function timeInDay(rng: Rng, dayStart: number): number {
	let r = rng.next() * HOUR_TOTAL;
	let h = 0;
	while (r >= HOUR_WEIGHTS[h]) r -= HOUR_WEIGHTS[h++];
	return dayStart + h * HOUR + rng.int(0, HOUR - 1000);
}

/** How often each kind of event happens. */
export const ACTIONS = [
	['topup', 22],
	['consume', 44],
	['secured', 9],
	['inner', 4],
	['refund', 7],
	['withdraw', 5],
	['payout', 3],
	['mchtopup', 0.4]
] as const;
