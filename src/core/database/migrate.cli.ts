import { loadConfigFromProcess } from '../../config/config';
import { prepareRuntime } from '../../runtime';
import { MIGRATIONS } from './migrations';
import { runMigrations } from './migrator';
import { messageOf } from '../errors/message-of';

/** `npm run migrate` (apply pending) or `npm run migrate -- down [steps]` (revert). */
async function main(): Promise<void> {
  const [direction = 'up', stepsArg = '1'] = process.argv.slice(2);
  if (direction !== 'up' && direction !== 'down')
    throw new Error('usage: migrate [up | down [steps]]');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const runtime = await prepareRuntime(loadConfigFromProcess(), log, {
    migrate: false,
    checkRedis: false,
  });
  try {
    const url = runtime.config.databaseUrl ?? '';
    const result = await runMigrations(url, MIGRATIONS, direction, Number(stepsArg));
    const changed = direction === 'up' ? result.applied : result.reverted;
    log(changed.length ? `${direction}: ${changed.join(', ')}` : 'nothing to do');
  } finally {
    await runtime.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${messageOf(error)}\n`);
  process.exit(1);
});
