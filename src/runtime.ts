import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from './config/config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './core/database/embedded-postgres';
import { MIGRATIONS } from './core/database/migrations';
import { runMigrations } from './core/database/migrator';
import { assertRedisReachable } from './core/redis/redis-probe';

export interface Runtime {
  /** The configuration with the database URL and admin token resolved. */
  config: AppConfig;
  /** Stops what the runtime started (the embedded PostgreSQL). */
  stop(): Promise<void>;
}

async function readOrCreateAdminToken(
  dataDir: string,
  log: (line: string) => void,
): Promise<string> {
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(dataDir, { recursive: true });
  const token = `hy_admin_${randomBytes(24).toString('base64url')}`;
  await writeFile(file, token, { mode: 0o600 });
  log(`ADMIN_TOKEN is not set: generated one into ${file} (read it from there)`);
  return token;
}

/**
 * Everything that must hold before the application starts: a database (embedded when
 * DATABASE_URL is unset), an admin token, a reachable Redis, and an up-to-date schema.
 */
export async function prepareRuntime(
  config: AppConfig,
  log: (line: string) => void,
  options: { migrate?: boolean; checkRedis?: boolean } = {},
): Promise<Runtime> {
  if (options.checkRedis ?? true) await assertRedisReachable(config.redisUrl);
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(join(config.dataDir), log);
    databaseUrl = embedded.url;
  }
  try {
    const adminToken = config.adminToken ?? (await readOrCreateAdminToken(config.dataDir, log));
    if (options.migrate ?? true) {
      const { applied } = await runMigrations(databaseUrl, MIGRATIONS);
      if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`);
    }
    return {
      config: config.with({ databaseUrl, adminToken }),
      stop: async () => embedded?.stop(),
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
