import { Module } from '@nestjs/common';
import { CiFailureAnalysisHandler } from '../analysis/ci-failure.handler';
import { MetricsRefreshHandler } from '../metrics/metrics-refresh.handler';

/** Handlers of the follow-up jobs a processed delivery enqueues (indexing has its own module). */
@Module({
  providers: [MetricsRefreshHandler, CiFailureAnalysisHandler],
})
export class FollowupsModule {}
