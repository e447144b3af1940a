import { INestApplicationContext, ValidationPipe } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/config';
import { ApiKeyVerifier } from './core/auth/api-key.verifier';
import { AuditHook } from './core/audit/audit.hook';
import { apiKeyBeforeBody, takesKeyedBody } from './core/auth/pre-body-auth';
import { registerBodyParsers } from './core/http/body-parsers';
import { answerClientError } from './core/http/client-error';
import { refuseBeforeBody } from './core/http/pre-body-hooks';
import { MetricsService } from './core/observability/metrics.service';
import { serveDashboard } from './modules/dashboard/dashboard-assets';
import { BULL_BOARD_ROUTE } from './modules/admin/bull-board/bull-board-auth';
import { isWebhookRoute } from './modules/webhooks/webhook-request';
import { WebhookScreen } from './modules/webhooks/webhook-screen';

export const OPENAPI_TITLE = 'Hookyard';
/** Node checks the header and request timeouts of open connections this often (at most). */
const MAX_TIMEOUT_CHECK_INTERVAL_MS = 1000;
/** Node's default limit on the request line and headers together. */
const MAX_HEADER_BYTES = 16 * 1024;

export interface RegisteredRoute {
  method: string;
  url: string;
}

const routesByApp = new WeakMap<NestFastifyApplication, RegisteredRoute[]>();

/** Every route the HTTP server registered (filled as routes are added, complete after init). */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  return routesByApp.get(app) ?? [];
}

type RouteHook = NonNullable<RouteOptions['onRequest']>;

/** A route's hooks of one kind (none, one or several) with `hook` added last. */
function withHook<H>(existing: H | H[] | undefined, hook: H): H[] {
  if (existing === undefined) return [hook];
  return Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/**
 * Decides, for each route as it is registered, what runs before its body is read and how big
 * that body may be: the webhook routes (WEBHOOK_ROUTE config) get the WebhookScreen and
 * WEBHOOK_MAX_BODY_BYTES; routes that take a body only a key holder may send get the API-key
 * check and API_MAX_BODY_BYTES (the server's default limit, which unrouted paths get too).
 * Routes that change state under /api/v1 and /admin also get the audit hook. Work a route
 * does not need is not attached to it, rather than attached everywhere and skipped.
 */
function shapeRoutes(fastify: FastifyInstance, app: NestFastifyApplication, config: AppConfig) {
  const screen = app.get(WebhookScreen);
  const screenWebhook: RouteHook = async (request) => {
    await screen.screen(request);
  };
  const checkKey = apiKeyBeforeBody(app.get(ApiKeyVerifier));
  const audit = app.get(AuditHook);
  fastify.addHook('onRoute', (route) => {
    if (isWebhookRoute(route.config)) {
      route.bodyLimit = config.maxBodyBytes;
      route.onRequest = withHook(route.onRequest, screenWebhook);
      return;
    }
    if (takesKeyedBody(route.method, route.url, [BULL_BOARD_ROUTE])) {
      route.onRequest = withHook(route.onRequest, checkKey);
    }
    if (audit.covers(route, [BULL_BOARD_ROUTE])) {
      route.onSend = withHook(route.onSend, audit.onSend);
    }
  });
}

/** Builds the HTTP application (ROLE all or api): Fastify, parsers, errors, metrics, docs. */
export async function createHttpApp(config: AppConfig): Promise<NestFastifyApplication> {
  const { http } = config;
  const adapter = new FastifyAdapter({
    bodyLimit: http.apiMaxBodyBytes,
    trustProxy: true,
    return503OnClosing: true,
    // A URL segment of any length (up to the 16 KiB of headers) reaches the route, which
    // answers it as it answers any unknown name (404 for a webhook source), not 414.
    routerOptions: { maxParamLength: MAX_HEADER_BYTES },
    clientErrorHandler: answerClientError,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    http: {
      headersTimeout: http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(
        MAX_TIMEOUT_CHECK_INTERVAL_MS,
        Math.ceil(http.headersTimeoutMs / 4),
      ),
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    adapter,
    {
      bufferLogs: true,
      bodyParser: false,
    },
  );
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify);
  fastify.addHook('onRequest', refuseBeforeBody);
  const routes: RegisteredRoute[] = [];
  routesByApp.set(app, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  shapeRoutes(fastify, app, config);

  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttpRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(OPENAPI_TITLE)
      .setDescription(
        'Webhook ingestion for Git forges and the engineering record built from it. ' +
          'Every /api/v1 route needs `Authorization: Bearer <key>`.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await serveDashboard(app);
  return app;
}

/**
 * A worker has no API, but it still answers /health/live and /metrics (its job durations
 * live in its own registry) on PORT, for probes and Prometheus.
 */
export function startWorkerProbeServer(
  app: INestApplicationContext,
  config: AppConfig,
): Promise<Server> {
  const metrics = app.get(MetricsService);
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      metrics
        .render()
        .then((text) => {
          response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
          response.end(text);
        })
        .catch(() => {
          response.writeHead(503).end();
        });
      return;
    }
    if (request.method === 'GET' && path === '/health/live') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', role: 'worker' }));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        statusCode: 404,
        error: 'Not Found',
        code: 'NOT_FOUND',
        message: 'A worker serves /health/live and /metrics only',
      }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve(server));
  });
}

/** Builds a process without HTTP (ROLE worker): workers and scheduler only. */
export async function createWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.register(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  return app;
}
