import type { Socket } from 'node:net';

interface ConnectionError extends Error {
  code?: string;
}

/**
 * Answers requests Node's HTTP parser rejects before any route runs (oversized or malformed
 * headers) with the same JSON envelope as every other error, instead of an empty body.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({
    statusCode: status,
    error: tooLarge ? 'Request Header Fields Too Large' : 'Bad Request',
    code: tooLarge ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST',
    message: tooLarge
      ? 'The request headers are larger than the server accepts (16 KiB)'
      : 'The request could not be parsed as HTTP',
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
