// The engine's refusals as tRPC errors. Only the routers import this (jobs use the engine directly).
import { appError } from '$lib/server/api/init';
import { ListFilterError, ListRefNotFound } from './errors';

/** Runs a list query; a refused range becomes BAD_REQUEST with its message key, another merchant's role or person NOT_FOUND. */
export async function listOrBadRequest<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (e) {
		if (e instanceof ListFilterError) throw appError('BAD_REQUEST', e.key);
		if (e instanceof ListRefNotFound) throw appError('NOT_FOUND', 'error.notFound');
		throw e;
	}
}

/** A detail, or NOT_FOUND when it is missing or another merchant's. */
export function found<T>(row: T | null): T {
	if (row === null) throw appError('NOT_FOUND', 'error.notFound');
	return row;
}
