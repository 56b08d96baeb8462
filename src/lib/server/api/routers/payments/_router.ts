import { router } from '../../init';
import { get } from './get';
import { list } from './list';

/** 支付订单查询 */
export const paymentsRouter = router({ list, get });
