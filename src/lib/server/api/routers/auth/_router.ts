import { router } from '../../init';
import { meProcedure } from './me';
import { signInProcedure } from './signIn';
import { signOutProcedure } from './signOut';

export const authRouter = router({
	signIn: signInProcedure,
	signOut: signOutProcedure,
	me: meProcedure
});
