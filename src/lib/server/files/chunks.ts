/**
 * The chunk size files are written with: every chunk but a file's last holds exactly this many
 * bytes, so a byte offset maps to a chunk by division. Small enough that a file_chunks row fits
 * one 8 KiB page uncompressed (STORAGE PLAIN; the limit is 8,120 bytes of data: 8,160 for the
 * tuple less its 24-byte header and 16 bytes of file_id, seq and the bytea's length), so chunks
 * are written through COPY's bulk path, never TOASTed (migration 0014). Each file records the size
 * it was written with (files.chunk_size): files stored earlier have 1 MiB chunks.
 */
export const CHUNK_SIZE = 8000;
