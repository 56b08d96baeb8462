import { router } from '../../init';
import { get } from './get';
import { list } from './list';

/** 用户管理 */
export const usersRouter = router({ list, get });
