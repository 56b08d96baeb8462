// Who may download a statement's files: anyone of its merchant with statements.download, once READY.
import type { FileAuthoriser } from '../files/kinds.ts';

export const authoriseStatementFile: FileAuthoriser = async (db, auth, fileId) => {
	const s = await db
		.selectFrom('statements')
		.select(['id', 'accounting_date', 'csv_file_id'])
		.where('merchant_id', '=', auth.staff.merchantId)
		.where('status', '=', 'READY')
		.where((eb) => eb.or([eb('csv_file_id', '=', fileId), eb('xlsx_file_id', '=', fileId)]))
		.executeTakeFirst();
	if (!s) return undefined;
	return {
		permission: 'statements.download',
		auditAction: 'statements.download',
		targetType: 'statement',
		targetId: s.id,
		detail: { accountingDate: s.accounting_date, format: s.csv_file_id === fileId ? 'CSV' : 'XLSX' }
	};
};
