import { router } from '../../init';
import { changePasswordProcedure } from './changePassword';
import { getColumns, setColumns } from './columns';
import { profileProcedure } from './profile';

/** 设置: 修改密码, 个人信息, and the column chooser's memory. */
export const settingsRouter = router({ getColumns, setColumns, changePassword: changePasswordProcedure, profile: profileProcedure });
