import { Module } from '@nestjs/common';
import { CiFailureAnalysisHandler } from '../analysis/ci-failure.handler';

/** Handlers of the follow-up jobs a processed delivery enqueues (metrics and indexing have their own modules). */
@Module({
  providers: [CiFailureAnalysisHandler],
})
export class FollowupsModule {}
