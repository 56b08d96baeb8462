import { router } from '../../init';
import { create } from './create';
import { remove } from './delete';
import { get } from './get';
import { list } from './list';
import { resetPassword } from './resetPassword';
import { resetTwoFactor } from './resetTwoFactor';
import { endSessions, sessions } from './sessions';
import { setStatusMany } from './setStatusMany';
import { setTwoFactorRequired, twoFactorPolicy } from './twoFactorPolicy';
import { unlock } from './unlock';
import { updateInfo } from './updateInfo';
import { updateRoles } from './updateRoles';

/** 操作员 (admin only). No procedure reaches the admin: every lookup excludes is_admin. */
export const operatorsRouter = router({
	list,
	get,
	create,
	updateInfo,
	updateRoles,
	setStatusMany,
	resetPassword,
	unlock,
	resetTwoFactor,
	twoFactorPolicy,
	setTwoFactorRequired,
	sessions,
	endSessions,
	delete: remove
});
