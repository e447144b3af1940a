import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** SHA-256 of a log's text: the key a log is stored and parsed under, once. */
export function traceHashOf(log: string): string {
  return createHash('sha256').update(log, 'utf8').digest('hex');
}

export function compressLog(log: string): Promise<Buffer> {
  return gzipAsync(Buffer.from(log, 'utf8'), { level: 6 });
}

export async function decompressLog(content: Buffer): Promise<string> {
  return (await gunzipAsync(content)).toString('utf8');
}

/**
 * A log cut to its last `maxBytes` (where the failure is), at a line start, saying so. The
 * tools' summaries and the errors that ended the job are at the end.
 */
export function limitLog(log: string, maxBytes: number): string {
  if (Buffer.byteLength(log, 'utf8') <= maxBytes) return log;
  const tail = Buffer.from(log, 'utf8').subarray(-maxBytes).toString('utf8');
  const newline = tail.indexOf('\n');
  return `[hookyard: log cut to its last ${maxBytes} bytes]\n${newline >= 0 ? tail.slice(newline + 1) : tail}`;
}
