import { RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { AppConfig } from '../../config/config';

/** Headers that carry credentials: never logged. */
export const SECRET_HEADERS = [
  'authorization',
  'cookie',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-gitlab-token',
  'webhook-signature',
  'x-gitea-signature',
  'x-gogs-signature',
  'x-forgejo-signature',
];

const QUIET_PREFIXES = ['/health', '/metrics'];

export function loggerParams(config: AppConfig): Params {
  return {
    // Webhook answers are recorded in the deliveries table and in metrics; a per-request
    // logger there costs ingest throughput for nothing.
    exclude: [{ method: RequestMethod.POST, path: 'webhooks/*path' }],
    pinoHttp: {
      level: config.logLevel,
      // No genReqId: @fastify/middie copies Fastify's request id to the raw request before
      // this middleware runs, and pino-http keeps an id it finds there. The `x-request-id`
      // answer header and the access log's request id are made by AccessLog.
      redact: {
        paths: SECRET_HEADERS.map((h) => `req.headers["${h}"]`),
        censor: '[redacted]',
      },
      // Successful webhook, health and metrics answers are frequent and recorded elsewhere
      // (the deliveries table, Prometheus): log them at debug only.
      customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
        if (error || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'warn';
        const url = req.url ?? '';
        return QUIET_PREFIXES.some((p) => url.startsWith(p)) ? 'debug' : 'info';
      },
    },
  };
}
