import { router } from '../../init';
import { get } from './get';
import { list } from './list';

/** 提现订单查询 */
export const withdrawalsRouter = router({ list, get });
