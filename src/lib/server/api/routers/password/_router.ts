import { router } from '../../init';
import { changeInitialProcedure } from './changeInitial';
import { requestCodeProcedure } from './requestCode';
import { resetProcedure } from './reset';

// 找回密码 (public) and 修改初始密码 (the only call open while the initial password is pending).
export const passwordRouter = router({
	requestCode: requestCodeProcedure,
	reset: resetProcedure,
	changeInitial: changeInitialProcedure
});
