import { Module } from '@nestjs/common';
import { CiFailureAnalysisHandler } from '../analysis/ci-failure.handler';
import { IndexRepositoryHandler } from '../indexing/index-repository.handler';

/** Handlers of the follow-up jobs a processed delivery enqueues (metrics: MetricsModule). */
@Module({
  providers: [IndexRepositoryHandler, CiFailureAnalysisHandler],
})
export class FollowupsModule {}
