// A feature's refusals (and the list engine's, for requests built on a list's filter) as tRPC errors.
import { appError } from './init';
import { Refused } from '../refused';
import { listOrBadRequest } from '../lists/trpc';

/** Runs one feature call; a Refused becomes the tRPC error of its code with its catalogue key. */
export async function answeringRefusals<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await listOrBadRequest(run);
	} catch (e) {
		if (e instanceof Refused) throw appError(e.code, e.key, e.params);
		throw e;
	}
}
