import { router } from '../../init';
import { create } from './create';
import { get } from './get';
import { list } from './list';
import { setStatus } from './setStatus';
import { setStatusMany } from './setStatusMany';
import { update } from './update';

/** 角色管理 (admin only). */
export const rolesRouter = router({ list, get, create, update, setStatus, setStatusMany });
