/** Every chunk but a file's last holds exactly this many bytes, so a byte offset maps to a chunk by division. */
export const CHUNK_SIZE = 1024 * 1024;
