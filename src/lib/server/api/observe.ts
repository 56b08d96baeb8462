// Procedure durations for the metrics: measured around each call (a batch's calls one by one),
// from the first middleware to the answer. Errors are counted by the endpoint's onError, which
// also sees the refusals that never reach a procedure.
import { metrics } from '../metrics.ts';

export async function timeProcedure<T>(path: string, type: string, next: () => Promise<T>): Promise<T> {
	const end = metrics.trpcDuration.startTimer({ path, type });
	try {
		return await next();
	} finally {
		end();
	}
}
