import { router } from '../../init';
import { meProcedure } from './me';
import { cancelSignInProcedure, verifySecondFactorProcedure } from './secondFactor';
import { signInProcedure } from './signIn';
import { signOutProcedure } from './signOut';

export const authRouter = router({
	signIn: signInProcedure,
	verifySecondFactor: verifySecondFactorProcedure,
	cancelSignIn: cancelSignInProcedure,
	signOut: signOutProcedure,
	me: meProcedure
});
