import fastifyStatic from '@fastify/static';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode } from '../../core/http/app-error';

/** Where `npm run build` (vite) writes the dashboard: dist/web at the package root. */
export const DASHBOARD_DIR = resolve(__dirname, '..', '..', '..', 'dist', 'web');

/** Paths of the single-page app: `/` and everything under `/ui` (the app routes itself). */
export const DASHBOARD_PREFIXES = ['/ui'] as const;

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  // Chart.js sizes its canvas through the style attribute.
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the dashboard's static files: public assets only (HTML, scripts, styles). Every figure
 * the page shows comes from /api/v1 with the key the user signs in with, so nothing here is
 * guarded. `/`, `/ui` and any `/ui/...` path that is not an asset answer index.html.
 */
export async function serveDashboard(app: NestFastifyApplication, dir = DASHBOARD_DIR) {
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/ui/assets/',
    index: false,
    // File names carry a content hash.
    immutable: true,
    maxAge: '365d',
  });
  const fastify = app.getHttpAdapter().getInstance();
  const index = join(dir, 'index.html');
  const page = (_request: unknown, reply: FastifyReply) => {
    if (!existsSync(index)) {
      return reply.code(503).send({
        statusCode: 503,
        code: ErrorCode.ServiceUnavailable,
        message: 'The dashboard is not built: run `npm run build`',
      });
    }
    return reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .sendFile('index.html', dir);
  };
  fastify.get('/', page);
  fastify.get('/ui', page);
  fastify.get('/ui/*', page);
}
