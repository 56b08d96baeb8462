import { router } from '../../init';
import { meProcedure } from './me';
import { cancelSignInProcedure, verifySecondFactorProcedure } from './secondFactor';
import { signInProcedure } from './signIn';
import { signOutProcedure } from './signOut';
import { stepUpProcedure } from './stepUp';

export const authRouter = router({
	signIn: signInProcedure,
	verifySecondFactor: verifySecondFactorProcedure,
	cancelSignIn: cancelSignInProcedure,
	signOut: signOutProcedure,
	stepUp: stepUpProcedure,
	me: meProcedure
});
