import { router } from '../../init';
import { allowListRouter } from './allowList';
import { changePasswordProcedure } from './changePassword';
import { devicesRouter } from './devices';
import { getColumns, setColumns } from './columns';
import { profileProcedure } from './profile';
import { ownSignIns } from './signIns';
import { twoFactorRouter } from './twoFactor';

/** 设置: 修改密码, 个人信息, 二次验证, 登录设备, 登录记录, 登录地址白名单 (admin), and the column chooser's memory. */
export const settingsRouter = router({
	getColumns,
	setColumns,
	changePassword: changePasswordProcedure,
	profile: profileProcedure,
	twoFactor: twoFactorRouter,
	devices: devicesRouter,
	signIns: ownSignIns,
	allowList: allowListRouter
});
