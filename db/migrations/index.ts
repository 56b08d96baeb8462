// Every migration, in order. Listed statically so the same code runs under tsx, vitest
// and the bundled server without a dynamic file import.
import type { Migration } from 'kysely';
import * as m0001 from './0001_data_model.ts';

export const migrations: Record<string, Migration> = {
	'0001_data_model': m0001
};
