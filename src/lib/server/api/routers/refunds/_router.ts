import { router } from '../../init';
import { get } from './get';
import { list } from './list';

/** 退款订单查询 */
export const refundsRouter = router({ list, get });
