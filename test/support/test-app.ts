import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/config';
import { deleteKeys } from './harness';
import { testEnv } from './test-env';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const GITHUB_SECRET = 'github-test-secret';

let counter = 0;

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  dataSource: DataSource;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /** Deletes every Redis key of this app's queues (as FLUSHALL would, without touching others). */
  wipeRedis(): Promise<number>;
  close(): Promise<void>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  json?: unknown;
  token?: string | null;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

/** Boots the real HTTP application on a free port against the run's database and Redis. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  counter += 1;
  const config = loadConfig({
    DATABASE_URL: testEnv('databaseUrl'),
    REDIS_URL: testEnv('redisUrl'),
    QUEUE_PREFIX: `${testEnv('queuePrefix')}-${counter}-${randomUUID().slice(0, 8)}`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'hookyard-test-data-')),
    ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
    DATABASE_POOL_SIZE: '5',
    // The suite sends many requests from one address; test/rate-limit.e2e-spec.ts turns them on.
    API_RATE_LIMIT_PER_KEY: '0',
    API_RATE_LIMIT_ANONYMOUS: '0',
    // No test reaches a real forge: unless a test points one at a loopback server, every forge
    // origin is a closed loopback port (and payload URLs on github.com are refused outright).
    GITHUB_URL: 'http://127.0.0.1:9',
    GITLAB_URL: 'http://127.0.0.1:9',
    GITEA_URL: 'http://127.0.0.1:9',
    BITBUCKET_URL: 'http://127.0.0.1:9',
    ...env,
  });
  const app = await createHttpApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const request = async (
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: <T>() => JSON.parse(text) as T,
    };
  };
  return {
    app,
    config,
    baseUrl,
    dataSource: app.get(DataSource),
    request,
    wipeRedis: () => deleteKeys(config.redisUrl, `${config.queuePrefix}:*`),
    close: () => app.close(),
  };
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const newId = randomUUID;
