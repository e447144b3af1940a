import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '../../../core/jobs/job-catalogue';
import { JobHandler } from '../../../core/jobs/job-handler.decorator';
import { ForgesService } from '../../forges/forges.service';
import { AnalysisJobsRepository } from '../analysis-jobs.repository';
import { AnalysisFeedbackService } from '../feedback/analysis-feedback.service';

export type OutdatedOutcome =
  'marked' | 'current' | 'superseded' | 'no analysis reported' | 'no forge access';

/**
 * When a pull request's head moves, the analysis comment describing an older commit is drawn
 * again with its outdated mark right away, not only when the new head's CI fails. Drawing the
 * same text twice changes nothing (the sticky comment is left as it is). The comment is only
 * redrawn while it still describes that older commit: the report of the new head may be
 * posted between this reading which commit was reported and its edit, and must not be
 * overwritten (the check is made under the comment's lock: `superseded`).
 */
@Injectable()
export class MarkAnalysisOutdatedHandler {
  constructor(
    private readonly forges: ForgesService,
    private readonly jobs: AnalysisJobsRepository,
    private readonly feedback: AnalysisFeedbackService,
  ) {}

  @JobHandler(JobName.MarkAnalysisOutdated)
  async mark(payload: JobPayloads[JobName.MarkAnalysisOutdated]): Promise<OutdatedOutcome> {
    const { repositoryId, pullRequest } = payload;
    const described = await this.jobs.lastReportedSha(repositoryId, pullRequest);
    if (described === undefined) return 'no analysis reported';
    const head = (await this.jobs.pullRequest(repositoryId, pullRequest))?.headSha;
    if (head === null || head === undefined || head === described) return 'current';
    const access = await this.forges.forRepository(repositoryId);
    if (access?.api.status !== 'available') return 'no forge access';
    const { outcomes } = await this.feedback.comment(access, described, [pullRequest], {
      redrawOnly: true,
    });
    return outcomes.some((o) => o.status === 'superseded') ? 'superseded' : 'marked';
  }
}
