/** Characters a chunk grows to before the next line starts a new one. */
export const CHUNK_CHARS = 4096;

export interface Chunk {
  /** 1-based number of the chunk's first line in the blob. */
  line: number;
  /** Whole lines with their line ends; a blob's chunks, joined in order, are the blob. */
  content: string;
}

/**
 * Cuts a text into chunks of whole lines of about CHUNK_CHARS characters (a longer line is a
 * chunk of its own). A match within one line is always within one chunk, so searching the
 * chunks line by line finds exactly what searching the whole text line by line finds.
 */
export function chunkLines(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let startLine = 1;
  let line = 1;
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    const end = newline < 0 ? text.length : newline + 1;
    if (end - start > CHUNK_CHARS && at > start) {
      chunks.push({ line: startLine, content: text.slice(start, at) });
      start = at;
      startLine = line;
    }
    at = end;
    line++;
  }
  if (start < text.length || chunks.length === 0) {
    chunks.push({ line: startLine, content: text.slice(start) });
  }
  return chunks;
}
