// Generated files (statements, exports) stored in Postgres in 1 MiB chunks, so any web
// process serves what any worker built. Relative imports only: the worker uses this too.
export { CHUNK_SIZE } from './chunks.ts';
export { openFileWriter, FileWriter, deleteAbandonedFiles, type NewFile, type StoredFile } from './write.ts';
export { findFile, openFileReader, openFileReadStream, readFileBytes, CopyBinaryFields, type ByteRange, type FileInfo, type FileReader, type StoredChunks } from './read.ts';
export { getDownloadPool, getFilePool, closeFilePool } from './pool.ts';
export { CSV_BOM, CSV_TYPE, csvLine, XLSX_TYPE } from './formats.ts';
