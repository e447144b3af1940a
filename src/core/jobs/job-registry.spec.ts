import { ALL_JOBS, JobName } from './job-catalogue';
import { checkCoverage } from './job-registry';

describe('checkCoverage', () => {
  const everyJobOnce = () => new Map(ALL_JOBS.map((name) => [name, [`Handler.${name}`]]));

  it('accepts exactly one handler per job', () => {
    expect(checkCoverage(everyJobOnce())).toEqual([]);
  });

  it('names a job without a handler and a job with two', () => {
    const found = everyJobOnce();
    found.delete(JobName.RefreshMetrics);
    found.set(JobName.ReplayDeliveries, ['A.replay', 'B.replay']);
    expect(checkCoverage(found)).toEqual([
      'job "deliveries.replay" has 2 handlers: A.replay, B.replay',
      'job "metrics.refresh" has no handler',
    ]);
  });
});
