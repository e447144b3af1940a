import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ForgesModule } from '../forges/forges.module';
import { ANALYSIS_ENTITIES } from './analysis.entities';
import { AnalysisJobsRepository } from './analysis-jobs.repository';
import { AnalysisController } from './api/analysis.controller';
import { AnalysisQueryService } from './api/analysis-query.service';
import { AnalysisReadRepository } from './api/analysis-read.repository';
import { AnalysisFeedbackService } from './feedback/analysis-feedback.service';
import { FindingsRepository } from './findings.repository';
import { JobAnalyzer } from './job-analyzer';
import { AnalyzeCiFailureHandler } from './jobs/analyze-ci-failure.handler';
import { MarkAnalysisOutdatedHandler } from './jobs/mark-outdated.handler';
import { LogParsingService } from './log-parsing.service';
import { LogStoreRepository } from './log-store.repository';
import { RunJobsDiscovery } from './run-jobs-discovery';
import { RunJobsRepository } from './run-jobs.repository';
import { AnalysisUpkeepTask } from './tasks/analysis-upkeep.task';
import { TestReportRepository } from './test-reports/test-report.repository';
import { TestReportService } from './test-reports/test-report.service';

/**
 * CI-failure analysis: failed jobs' logs fetched through the forge clients, stored and parsed
 * once, problems served from the database, and reported on the pull request.
 */
@Module({
  imports: [TypeOrmModule.forFeature(ANALYSIS_ENTITIES), ForgesModule],
  controllers: [AnalysisController],
  providers: [
    AnalysisJobsRepository,
    AnalysisReadRepository,
    AnalysisQueryService,
    AnalysisFeedbackService,
    FindingsRepository,
    JobAnalyzer,
    AnalyzeCiFailureHandler,
    MarkAnalysisOutdatedHandler,
    LogParsingService,
    LogStoreRepository,
    RunJobsDiscovery,
    RunJobsRepository,
    AnalysisUpkeepTask,
    TestReportRepository,
    TestReportService,
  ],
  exports: [AnalysisQueryService],
})
export class AnalysisModule {}
