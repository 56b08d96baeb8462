import { router } from '../../init';
import { create } from './create';
import { get } from './get';
import { list } from './list';
import { retry } from './retry';

/** 导出 and 导出记录 */
export const exportsRouter = router({ create, list, get, retry });
