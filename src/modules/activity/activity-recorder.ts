import { Injectable } from '@nestjs/common';
import { CiConclusion, DomainEvent } from './domain-events';
import { CiJobWriter } from './writers/ci-job.writer';
import { CiRunWriter } from './writers/ci-run.writer';
import { CommentWriter } from './writers/comment.writer';
import { DeploymentWriter } from './writers/deployment.writer';
import { IssueWriter } from './writers/issue.writer';
import { PullRequestWriter } from './writers/pull-request.writer';
import { PushWriter } from './writers/push.writer';
import { RecordContext, RecordedActivity } from './writers/record-context';
import { ReleaseWriter } from './writers/release.writer';
import { RepositoryWriter } from './writers/repository.writer';
import { ReviewWriter } from './writers/review.writer';

export type { RecordContext, RecordedActivity } from './writers/record-context';

/** The writers of the record, provided by ActivityModule. */
export const RECORD_WRITERS = [
  RepositoryWriter,
  PushWriter,
  PullRequestWriter,
  ReviewWriter,
  CommentWriter,
  IssueWriter,
  CiRunWriter,
  CiJobWriter,
  DeploymentWriter,
  ReleaseWriter,
];

/**
 * Writes domain events into the engineering record, inside the delivery's transaction: each
 * event goes to the writer of its kind. Every write is an upsert on a natural key; mutable
 * records only move forward in forge time.
 */
@Injectable()
export class ActivityRecorder {
  constructor(
    private readonly repositories: RepositoryWriter,
    private readonly pushes: PushWriter,
    private readonly pullRequests: PullRequestWriter,
    private readonly reviews: ReviewWriter,
    private readonly comments: CommentWriter,
    private readonly issues: IssueWriter,
    private readonly ciRuns: CiRunWriter,
    private readonly ciJobs: CiJobWriter,
    private readonly deployments: DeploymentWriter,
    private readonly releases: ReleaseWriter,
  ) {}

  async record(ctx: RecordContext, events: DomainEvent[]): Promise<RecordedActivity> {
    const out: RecordedActivity = {
      repositoryIds: new Set(),
      defaultBranchPushes: new Set(),
      otherBranchPushes: [],
      failedCiRepositories: new Set(),
      movedPullRequestHeads: [],
    };
    const repositoryIds = new Map<string, string>();
    for (const event of events) {
      let repositoryId = repositoryIds.get(event.repository.externalId);
      if (!repositoryId) {
        repositoryId = await this.repositories.upsert(ctx, event.repository, event.occurredAt);
        repositoryIds.set(event.repository.externalId, repositoryId);
      }
      out.repositoryIds.add(repositoryId);
      switch (event.kind) {
        case 'push':
          await this.pushes.write(ctx, repositoryId, event);
          if (
            !event.deleted &&
            event.repository.defaultBranch &&
            event.ref === `refs/heads/${event.repository.defaultBranch}`
          ) {
            out.defaultBranchPushes.add(repositoryId);
          } else if (event.ref.startsWith('refs/heads/')) {
            out.otherBranchPushes.push({ repositoryId, branch: event.ref.slice(11) });
          }
          break;
        case 'pull_request':
          await this.pullRequests.write(ctx, repositoryId, event);
          if (event.action === 'synchronize') {
            out.movedPullRequestHeads.push({ repositoryId, number: event.pullRequest.number });
          }
          break;
        case 'review':
          await this.reviews.write(ctx, repositoryId, event);
          break;
        case 'comment':
          await this.comments.write(ctx, repositoryId, event);
          break;
        case 'issue':
          await this.issues.write(ctx, repositoryId, event);
          break;
        case 'ci_run':
          await this.ciRuns.write(ctx, repositoryId, event);
          if (event.run.status === 'completed' && isFailure(event.run.conclusion)) {
            out.failedCiRepositories.add(repositoryId);
          }
          break;
        case 'ci_job':
          this.ciJobs.write(ctx, repositoryId, event);
          if (event.job.status === 'completed' && isFailure(event.job.conclusion)) {
            out.failedCiRepositories.add(repositoryId);
          }
          break;
        case 'deployment':
          await this.deployments.write(ctx, repositoryId, event);
          break;
        case 'release':
          await this.releases.write(ctx, repositoryId, event);
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`Unhandled domain event ${JSON.stringify(unreachable)}`);
        }
      }
    }
    return out;
  }
}

/** A finished run or job whose logs tell why it failed. */
function isFailure(conclusion: CiConclusion | undefined): boolean {
  return conclusion === 'failure' || conclusion === 'timed_out';
}
