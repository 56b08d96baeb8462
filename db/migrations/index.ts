// Every migration, in order. Listed statically so the same code runs under tsx, vitest
// and the bundled server without a dynamic file import.
import type { Migration } from 'kysely';
import * as m0001 from './0001_data_model.ts';
import * as m0002PasswordReset from './0002_password_reset_requests.ts';
import * as m0003ListRollups from './0003_list_rollups.ts';
import * as m0004SignInFailures from './0004_sign_in_failures.ts';
import * as m0005AuthThrottle from './0005_auth_throttle_sign_in_log.ts';
import * as m0006TwoFactor from './0006_two_factor_sessions.ts';
import * as m0008DayClose from './0008_day_close_statement_api.ts';
import * as m0009SignInAlerts from './0009_sign_in_alerts_allow_list.ts';
import * as m0010ExportSelectedRows from './0010_export_selected_rows.ts';
import * as m0011StaffSoftDelete from './0011_staff_soft_delete.ts';
import * as m0012StatementReconciliationIndex from './0012_statement_reconciliation_index.ts';
import * as m0013FileChunksUncompressed from './0013_file_chunks_uncompressed.ts';
import * as m0014FileChunksInline from './0014_file_chunks_inline.ts';
import * as m0015FileChunksWithoutRowChecks from './0015_file_chunks_without_row_checks.ts';

export const migrations: Record<string, Migration> = {
	'0001_data_model': m0001,
	'0002_password_reset_requests': m0002PasswordReset,
	'0003_list_rollups': m0003ListRollups,
	'0004_sign_in_failures': m0004SignInFailures,
	'0005_auth_throttle_sign_in_log': m0005AuthThrottle,
	'0006_two_factor_sessions': m0006TwoFactor,
	'0008_day_close_statement_api': m0008DayClose,
	'0009_sign_in_alerts_allow_list': m0009SignInAlerts,
	'0010_export_selected_rows': m0010ExportSelectedRows,
	'0011_staff_soft_delete': m0011StaffSoftDelete,
	'0012_statement_reconciliation_index': m0012StatementReconciliationIndex,
	'0013_file_chunks_uncompressed': m0013FileChunksUncompressed,
	'0014_file_chunks_inline': m0014FileChunksInline,
	'0015_file_chunks_without_row_checks': m0015FileChunksWithoutRowChecks
};
