import { router } from '../../init';
import { alipayRouter, wechatRouter } from './providerTab';
import { platformRouter } from './platform';
import { expiring, get, list } from './readOnly';

/** 参数管理 → 支付密钥管理: one sub-router per tab, plus the read-only 支付密钥列表. */
export const keysRouter = router({ list, get, expiring, wechat: wechatRouter, alipay: alipayRouter, platform: platformRouter });
