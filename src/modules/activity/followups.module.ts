import { Module } from '@nestjs/common';
import { CiFailureAnalysisHandler } from '../analysis/ci-failure.handler';
import { IndexRepositoryHandler } from '../indexing/index-repository.handler';
import { MetricsRefreshHandler } from '../metrics/metrics-refresh.handler';

/** Handlers of the follow-up jobs a processed delivery enqueues. */
@Module({
  providers: [MetricsRefreshHandler, IndexRepositoryHandler, CiFailureAnalysisHandler],
})
export class FollowupsModule {}
