// Postgres errors a data module answers on purpose. Relative imports only (plain Node too).

/** Postgres unique_violation, of the named constraint when one is given (e.g. a role name already used). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
	const e = error as { code?: string; constraint?: string } | null;
	return typeof e === 'object' && e !== null && e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
