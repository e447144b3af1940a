import { CiJobEntity } from './ci-job.entity';
import { CiRunEntity } from './ci-run.entity';
import { CommentEntity } from './comment.entity';
import { CommitEntity } from './commit.entity';
import { DeploymentStatusEntity } from './deployment-status.entity';
import { DeploymentEntity } from './deployment.entity';
import { IssueEntity } from './issue.entity';
import { PullRequestEventEntity } from './pull-request-event.entity';
import { PullRequestEntity } from './pull-request.entity';
import { ReleaseEntity } from './release.entity';
import { RepositoryEntity } from './repository.entity';
import { ReviewEntity } from './review.entity';

/** The tables of the engineering record, registered by ActivityModule. */
export const ACTIVITY_ENTITIES = [
  RepositoryEntity,
  CommitEntity,
  PullRequestEntity,
  PullRequestEventEntity,
  ReviewEntity,
  CommentEntity,
  IssueEntity,
  CiRunEntity,
  CiJobEntity,
  DeploymentEntity,
  DeploymentStatusEntity,
  ReleaseEntity,
];
