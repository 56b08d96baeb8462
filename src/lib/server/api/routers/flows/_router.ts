import { router } from '../../init';
import { get } from './get';
import { list } from './list';

/** 资金流水查询 */
export const flowsRouter = router({ list, get });
