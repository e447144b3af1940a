import { Injectable, Logger, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { SchedulerLock } from '../database/scheduler-lock';
import { messageOf } from '../errors/message-of';

/**
 * The one way to run a task every N milliseconds (N from the configuration, which @Interval
 * cannot take). The interval is registered in @nestjs/schedule's SchedulerRegistry, which
 * exists only where ROLE runs the scheduler (SchedulingModule), and is cleared by it at
 * shutdown. Each tick runs in at most one replica (SchedulerLock), never overlaps the previous
 * tick of the same task, and a failure is logged: the next tick is the retry.
 */
@Injectable()
export class ScheduledIntervals {
  private readonly logger = new Logger(ScheduledIntervals.name);

  constructor(
    private readonly lock: SchedulerLock,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  /** Whether this process runs scheduled tasks at all. */
  get enabled(): boolean {
    return this.registry !== undefined;
  }

  /** Runs `task` every `everyMs` under the name `name`; does nothing where ROLE has no scheduler. */
  every(name: string, everyMs: number, task: () => Promise<void>): void {
    if (!this.registry) return;
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await this.lock.runExclusive(name, task);
      } catch (error) {
        this.logger.warn(`${name} failed: ${messageOf(error)}`);
      } finally {
        running = false;
      }
    };
    this.registry.addInterval(
      name,
      setInterval(() => void tick(), everyMs),
    );
  }
}
