import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { SchedulerLock } from '../database/scheduler-lock';
import { ScheduledIntervals } from './scheduled-intervals';

/** A lock every replica gets: the unit under test is the scheduling around it. */
const freeLock = {
  runExclusive: async (_name: string, task: () => Promise<void>) => {
    await task();
    return true;
  },
} as unknown as SchedulerLock;

describe('ScheduledIntervals', () => {
  let registry: SchedulerRegistry;

  beforeEach(() => {
    jest.useFakeTimers();
    registry = new SchedulerRegistry();
  });

  afterEach(() => {
    for (const name of registry.getIntervals()) registry.deleteInterval(name);
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('schedules nothing where the process has no scheduler', () => {
    const intervals = new ScheduledIntervals(freeLock);
    const task = jest.fn(() => Promise.resolve());
    intervals.every('sweep', 100, task);
    jest.advanceTimersByTime(1000);
    expect(intervals.enabled).toBe(false);
    expect(task).not.toHaveBeenCalled();
  });

  it('registers the task under its name and runs it every interval', async () => {
    const intervals = new ScheduledIntervals(freeLock, registry);
    const task = jest.fn(() => Promise.resolve());
    intervals.every('sweep', 100, task);
    expect(registry.getIntervals()).toEqual(['sweep']);
    await jest.advanceTimersByTimeAsync(350);
    expect(task).toHaveBeenCalledTimes(3);
  });

  it('does not start a tick while the previous one of the same task still runs', async () => {
    const intervals = new ScheduledIntervals(freeLock, registry);
    let finish: () => void = () => undefined;
    const task = jest.fn(
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    intervals.every('retention', 100, task);
    await jest.advanceTimersByTimeAsync(450);
    expect(task).toHaveBeenCalledTimes(1);
    finish();
    await jest.advanceTimersByTimeAsync(100);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('logs a failing tick with its reason and keeps the schedule', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const intervals = new ScheduledIntervals(freeLock, registry);
    const task = jest
      .fn<Promise<void>, []>()
      .mockRejectedValueOnce(new Error('database is down'))
      .mockResolvedValue(undefined);
    intervals.every('sweep', 100, task);
    await jest.advanceTimersByTimeAsync(250);
    expect(warn).toHaveBeenCalledWith('sweep failed: database is down');
    expect(task).toHaveBeenCalledTimes(2);
  });
});
