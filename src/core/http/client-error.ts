import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface ConnectionError extends Error {
  code?: string;
}

interface ClientErrorAnswer {
  status: number;
  reason: string;
  code: string;
  message: string;
}

function answerFor(error: ConnectionError): ClientErrorAnswer {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      code: 'HEADERS_TOO_LARGE',
      message: 'The request headers are larger than the server accepts (16 KiB)',
    };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      reason: 'Request Timeout',
      code: 'REQUEST_TIMEOUT',
      message: 'The request was not received in time',
    };
  }
  return {
    status: 400,
    reason: 'Bad Request',
    code: 'MALFORMED_REQUEST',
    message: 'The request could not be parsed as HTTP',
  };
}

/**
 * The response Node's HTTP server is still producing on this socket, if any. Node keeps it on
 * the socket (`_httpMessage`, what its own client-error handler consults) until it finishes.
 */
function inFlightResponse(socket: Socket): ServerResponse | undefined {
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return pending ?? undefined;
}

function writeAnswer(error: ConnectionError, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { status, reason, code, message } = answerFor(error);
  const body = JSON.stringify({ statusCode: status, error: reason, code, message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Answers requests Node's HTTP parser rejects before any route runs (oversized or malformed
 * headers, a request or its headers not received in time) with the same JSON envelope as
 * every other error, instead of an empty body, and closes the connection. When the bad bytes
 * follow a complete request whose answer is still being produced (a pipelined request, or a
 * stray byte after the body), that answer goes first: the client sent it a whole request.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  const pending = inFlightResponse(socket);
  const requestComplete = pending !== undefined && (pending.req?.complete ?? false);
  if (
    pending !== undefined &&
    requestComplete &&
    !pending.writableFinished &&
    error.code !== 'ERR_HTTP_REQUEST_TIMEOUT'
  ) {
    let answered = false;
    const after = () => {
      if (answered) return;
      answered = true;
      writeAnswer(error, socket);
    };
    pending.once('finish', after);
    pending.once('close', after);
    return;
  }
  if (pending !== undefined && pending.headersSent) {
    // Part of an answer is on the wire: anything more would corrupt it.
    socket.destroy();
    return;
  }
  writeAnswer(error, socket);
}
