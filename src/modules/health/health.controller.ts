import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../../core/auth/public.decorator';
import { JobsService } from '../../core/jobs/jobs.service';
import { messageOf } from '../../core/errors/message-of';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what} did not answer in ${CHECK_TIMEOUT_MS} ms`)),
        CHECK_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly jobs: JobsService,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'The process is up' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Database, Redis and queues answer; 503 otherwise' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
      () => this.redis(),
      () => this.queues(),
    ]);
  }

  private async redis() {
    const session = this.indicators.check('redis');
    try {
      await withTimeout(this.jobs.pingRedis(), 'redis');
      return session.up();
    } catch (error) {
      return session.down({ message: messageOf(error) });
    }
  }

  private async queues() {
    const session = this.indicators.check('queues');
    try {
      const entries = await withTimeout(
        Promise.all(
          this.jobs.allQueues().map(async (q) => {
            const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
            return [q.name, { ...counts, paused: await q.isPaused() }] as const;
          }),
        ),
        'queues',
      );
      return session.up(Object.fromEntries(entries));
    } catch (error) {
      return session.down({ message: messageOf(error) });
    }
  }
}
