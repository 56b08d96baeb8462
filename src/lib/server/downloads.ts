// Stored files and who may download them: the features that write files register their
// authorisers here, so files/ knows none of them. The download route and tests import this.
import { authoriseExportFile } from './exports/downloads.ts';
import { registerFileKind } from './files/kinds.ts';
import { authoriseStatementFile } from './statements/downloads.ts';
import { authoriseStatementRangeFile } from './statements/ranges.ts';

registerFileKind('statement', authoriseStatementFile);
registerFileKind('export', authoriseExportFile);
registerFileKind('statementRange', authoriseStatementRangeFile);

export { authorizeFileDownload, type FileGrant } from './files/access.ts';
