// Tests run against the real Postgres named by TEST_DATABASE_URL (its server; the database
// part is replaced) or the local one.
export function adminUrl(): string {
	return withDatabase('postgres');
}

export function withDatabase(name: string): string {
	const u = new URL(process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
	u.pathname = `/${name}`;
	return u.toString();
}
