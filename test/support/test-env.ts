/** Values global-setup hands to the test files through the environment. */
export const TEST_ENV = {
  databaseUrl: 'HOOKYARD_TEST_DATABASE_URL',
  serverUrl: 'HOOKYARD_TEST_SERVER_URL',
  databaseName: 'HOOKYARD_TEST_DATABASE_NAME',
  queuePrefix: 'HOOKYARD_TEST_QUEUE_PREFIX',
  redisUrl: 'HOOKYARD_TEST_REDIS_URL',
} as const;

export function testEnv(name: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[name]];
  if (!value)
    throw new Error(`${TEST_ENV[name]} is not set: run the e2e tests through jest (global-setup)`);
  return value;
}
