import { router } from '../../init';
import { changePasswordProcedure } from './changePassword';
import { devicesRouter } from './devices';
import { getColumns, setColumns } from './columns';
import { profileProcedure } from './profile';
import { twoFactorRouter } from './twoFactor';

/** 设置: 修改密码, 个人信息, 二次验证, 登录设备, and the column chooser's memory. */
export const settingsRouter = router({
	getColumns,
	setColumns,
	changePassword: changePasswordProcedure,
	profile: profileProcedure,
	twoFactor: twoFactorRouter,
	devices: devicesRouter
});
