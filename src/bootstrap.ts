import { INestApplicationContext, ValidationPipe } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerFactory } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/config';
import { registerBodyParsers } from './core/http/body-parsers';
import { answerClientError } from './core/http/client-error';
import { MetricsService } from './core/observability/metrics.service';
import { WebhookIngress } from './modules/webhooks/webhook-ingress';

export const OPENAPI_TITLE = 'Hookyard';
const FASTIFY_KEEP_ALIVE_TIMEOUT_MS = 72_000;

export interface RegisteredRoute {
  method: string;
  url: string;
}

const routesByApp = new WeakMap<NestFastifyApplication, RegisteredRoute[]>();

/** Every route the HTTP server registered (filled as routes are added, complete after init). */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  return routesByApp.get(app) ?? [];
}

/** Builds the HTTP application (ROLE all or api): Fastify, parsers, errors, metrics, docs. */
export async function createHttpApp(config: AppConfig): Promise<NestFastifyApplication> {
  // Set once the Nest container exists; the server takes no request before that.
  const late: { ingress?: WebhookIngress } = {};
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxBodyBytes,
    trustProxy: true,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // Fastify's own server, with webhooks answered before its router (see WebhookIngress).
    serverFactory: ((fastifyHandler) => {
      const server = createServer((request, response) => {
        if (!late.ingress?.handle(request, response)) fastifyHandler(request, response);
      });
      // What Fastify sets on a server it creates itself.
      server.keepAliveTimeout = FASTIFY_KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = 0;
      return server;
    }) satisfies FastifyServerFactory,
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
  registerBodyParsers(fastify, config.maxBodyBytes);
  const routes: RegisteredRoute[] = [];
  routesByApp.set(app, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  late.ingress = app.get(WebhookIngress);
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
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
