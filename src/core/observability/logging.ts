import { RequestMethod } from '@nestjs/common';
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

export function loggerParams(config: AppConfig): Params {
  return {
    // Webhook answers are recorded in the deliveries table and in metrics; a per-request
    // logger there costs ingest throughput for nothing.
    exclude: [{ method: RequestMethod.POST, path: 'webhooks/*path' }],
    pinoHttp: {
      level: config.logLevel,
      // pino-http only binds a logger to each request here: the one line per request is
      // AccessLog's, which also makes the `x-request-id` answer header. No genReqId:
      // @fastify/middie copies Fastify's request id to the raw request before this middleware
      // runs, and pino-http keeps an id it finds there.
      autoLogging: false,
      redact: {
        paths: SECRET_HEADERS.map((h) => `req.headers["${h}"]`),
        censor: '[redacted]',
      },
    },
  };
}
