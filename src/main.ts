import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createWorkerContext, startWorkerProbeServer } from './bootstrap';
import { ConfigValidationError, loadConfigFromProcess } from './config/config';
import { EmbeddedPostgresError } from './core/database/embedded-postgres';
import { RedisUnreachableError } from './core/redis/redis-probe';
import { prepareRuntime, Runtime } from './runtime';

const log = (line: string) =>
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: line })}\n`);

async function main(): Promise<void> {
  const runtime: Runtime = await prepareRuntime(loadConfigFromProcess(), log);
  const { config } = runtime;
  let app: INestApplicationContext;
  let onClose: () => Promise<void> = () => Promise.resolve();
  if (config.servesHttp) {
    const http: NestFastifyApplication = await createHttpApp(config);
    await http.listen(config.port, config.host);
    app = http;
    log(`Hookyard (${config.role}) listening on http://${config.host}:${config.port}`);
  } else {
    const worker = await createWorkerContext(config);
    await worker.init();
    const probes = await startWorkerProbeServer(worker, config);
    app = worker;
    onClose = () => new Promise((resolve) => probes.close(() => resolve()));
    log(
      `Hookyard worker started; /health/live and /metrics on http://${config.host}:${config.port}`,
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: stopping`);
    void (async () => {
      let code = 0;
      try {
        await onClose();
        await app.close();
      } catch (error) {
        code = 1;
        process.stderr.write(
          `shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
      }
      try {
        await runtime.stop();
      } catch (error) {
        code = 1;
        process.stderr.write(`stopping the embedded PostgreSQL failed: ${String(error)}\n`);
      }
      process.exit(code);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigValidationError ||
    error instanceof RedisUnreachableError ||
    error instanceof EmbeddedPostgresError
  ) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Hookyard failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
