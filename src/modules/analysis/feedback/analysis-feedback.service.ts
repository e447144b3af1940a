import { Injectable } from '@nestjs/common';
import { FeedbackOutcome, FeedbackService } from '../../forges/feedback/feedback.service';
import { maskSecrets } from '../../forges/feedback/mask-secrets';
import { RepositoryForgeAccess } from '../../forges/forges.service';
import { AnalysisJobsRepository } from '../analysis-jobs.repository';
import { AnalysisReadRepository } from '../api/analysis-read.repository';
import { describesCommit, lineLinker, renderAnalysisComment } from './analysis-comment';

export const FEEDBACK_PURPOSE = 'analysis';

/**
 * Reports a commit's analysis on its pull requests (one sticky comment each, edited in place)
 * and as the commit status `hookyard/analysis`, through the forge module's FeedbackService.
 */
@Injectable()
export class AnalysisFeedbackService {
  constructor(
    private readonly feedback: FeedbackService,
    private readonly read: AnalysisReadRepository,
    private readonly jobs: AnalysisJobsRepository,
  ) {}

  async report(access: RepositoryForgeAccess, sha: string, pullRequests: number[]): Promise<void> {
    if (access.api.status !== 'available') return;
    const { jobs, problems } = await this.comment(access, sha, pullRequests);
    const errors = problems.filter((p) => p.severity === 'error').length;
    const files = new Set(problems.map((p) => p.file).filter((f) => f !== null)).size;
    const fresh = problems.filter((p) => p.new_in_pull_request).length;
    await this.feedback.setCommitStatus(access, {
      sha,
      purpose: FEEDBACK_PURPOSE,
      state: 'failure',
      description:
        problems.length === 0
          ? `${jobs.length} failed job(s); no known tool output in the logs`
          : `${errors} error(s) in ${files} file(s), ${fresh} new in the pull request`,
    });
  }

  /**
   * Writes the sticky comment describing `sha` on each pull request (edited in place; marked
   * outdated when the pull request's recorded head is another commit). Answers what it drew.
   * `redrawOnly`: only edit a comment that still describes `sha` (marking it outdated must not
   * overwrite the report of a newer commit posted meanwhile; decided under the comment's lock).
   */
  async comment(
    access: RepositoryForgeAccess,
    sha: string,
    pullRequests: number[],
    options: { redrawOnly?: boolean } = {},
  ) {
    const jobs = await this.read.commitJobs(access.repositoryId, sha);
    const problems = (await this.read.commitProblems(access.repositoryId, sha)).map((p) => ({
      ...p,
      message: maskSecrets(p.message, access.knownSecrets()),
      test_name: p.test_name === null ? null : maskSecrets(p.test_name, access.knownSecrets()),
    }));
    const lineLink = lineLinker(
      access.provider,
      access.endpoints.webUrl,
      access.repository.fullName,
      sha,
    );
    const defaultBranch = await this.jobs.defaultBranch(access.repositoryId);
    const stillDescribed = options.redrawOnly
      ? (existing: string | undefined) => existing !== undefined && describesCommit(existing, sha)
      : undefined;
    const outcomes: FeedbackOutcome[] = [];
    for (const number of pullRequests) {
      const pr = await this.jobs.pullRequest(access.repositoryId, number);
      const body = renderAnalysisComment({
        headSha: sha,
        currentHeadSha: pr?.headSha ?? undefined,
        baseBranch: pr?.baseRef ?? defaultBranch,
        jobs,
        problems,
        lineLink,
      });
      outcomes.push(
        await this.feedback.upsertStickyComment(
          access,
          number,
          FEEDBACK_PURPOSE,
          body,
          stillDescribed,
        ),
      );
    }
    return { jobs, problems, outcomes };
  }
}
