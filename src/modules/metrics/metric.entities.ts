import {
  Check,
  Column,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { PullRequestEntity } from '../activity/entities/pull-request.entity';
import { RepositoryEntity } from '../activity/entities/repository.entity';

/** Per-repository metric settings; a repository without a row uses the defaults. */
@Entity('repository_metric_settings')
export class RepositoryMetricSettingsEntity {
  @PrimaryColumn('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'repository_metric_settings_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;
  @Column('text', { name: 'production_pattern', default: '^(prod|production)$' })
  productionPattern!: string;
  @Column('text', { name: 'incident_label_pattern', default: '^incident$' })
  incidentLabelPattern!: string;
  @Column('text', { name: 'ci_deployment_pattern', nullable: true })
  ciDeploymentPattern!: string | null;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt!: Date;
}

/** The earliest time since which a write may have changed a repository's figures. */
@Entity('metric_dirty')
@Index('metric_dirty_repository_idx', ['repositoryId', 'id'])
@Check('metric_dirty_kind_check', `kind IN ('record', 'issue', 'ci_run')`)
export class MetricDirtyEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'repository_id' }) repositoryId!: string;
  @Column('timestamptz') since!: Date;
  @Column('text') kind!: 'record' | 'issue' | 'ci_run';
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

/** One production deployment with its outcome, failure, recovery and rework. */
@Entity('metric_deployments')
@Unique('metric_deployments_source_unique', ['source', 'sourceId'])
@Index('metric_deployments_repository_time_idx', ['repositoryId', 'finishedAt'])
@Index('metric_deployments_time_idx', ['finishedAt'])
@Index('metric_deployments_recovered_idx', ['recoveredAt'], { where: 'failed_by IS NOT NULL' })
@Check('metric_deployments_source_check', `source IN ('deployment', 'ci_run', 'ci_job')`)
@Check('metric_deployments_outcome_check', `outcome IN ('success', 'failure')`)
@Check('metric_deployments_failed_by_check', `failed_by IN ('status', 'incident')`)
export class MetricDeploymentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'metric_deployments_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;
  @Column('text') source!: 'deployment' | 'ci_run' | 'ci_job';
  @Column('uuid', { name: 'source_id' }) sourceId!: string;
  @Column('text') environment!: string;
  @Column('text') sha!: string;
  @Column('text') outcome!: 'success' | 'failure';
  @Column('timestamptz', { name: 'finished_at' }) finishedAt!: Date;
  @Column('boolean', { default: false }) baseline!: boolean;
  @Column('text', { name: 'failed_by', nullable: true }) failedBy!: 'status' | 'incident' | null;
  @Column('uuid', { name: 'incident_issue_ids', array: true, default: () => "'{}'" })
  incidentIssueIds!: string[];
  @Column('timestamptz', { name: 'recovered_at', nullable: true }) recoveredAt!: Date | null;
  @Column('uuid', { name: 'recovered_by', nullable: true }) recoveredBy!: string | null;
  @Column('boolean', { default: false }) rework!: boolean;
  @Column('integer', { default: 0 }) changes!: number;
}

/** A commit that reached production, with the deployment that first contained it. */
@Entity('metric_changes')
@Index('metric_changes_repository_time_idx', ['repositoryId', 'deployedAt'])
@Index('metric_changes_time_idx', ['deployedAt'])
@Index('metric_changes_deployment_idx', ['deploymentId'])
@Index('metric_changes_lead_idx', { synchronize: false })
export class MetricChangeEntity {
  /** Covering (INCLUDE), which @Index cannot state: a percentile reads one bin's values in order. */
  static readonly expressionIndexes = {
    metric_changes_lead_idx: `CREATE INDEX metric_changes_lead_idx ON metric_changes (lead_seconds) INCLUDE (deployed_at)`,
  };

  @PrimaryColumn('uuid', { name: 'repository_id' }) repositoryId!: string;
  @PrimaryColumn('text') sha!: string;
  @Column('uuid', { name: 'deployment_id' })
  @ForeignKey(() => MetricDeploymentEntity, {
    name: 'metric_changes_deployment_id_fkey',
    onDelete: 'CASCADE',
  })
  deploymentId!: string;
  @Column('uuid', { name: 'author_identity_id', nullable: true }) authorIdentityId!: string | null;
  @Column('uuid', { name: 'pull_request_id', nullable: true }) pullRequestId!: string | null;
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('timestamptz', { name: 'deployed_at' }) deployedAt!: Date;
  @Column('double precision', { name: 'lead_seconds' }) leadSeconds!: number;
}

/** A merged pull request's phases. */
@Entity('metric_pull_requests')
@Index('metric_pull_requests_repository_time_idx', ['repositoryId', 'mergedAt'])
@Index('metric_pull_requests_time_idx', ['mergedAt'])
@Index('metric_pull_requests_coding_idx', { synchronize: false })
@Index('metric_pull_requests_pickup_idx', { synchronize: false })
@Index('metric_pull_requests_review_idx', { synchronize: false })
@Index('metric_pull_requests_deploy_idx', { synchronize: false })
@Index('metric_pull_requests_cycle_idx', { synchronize: false })
@Index('metric_pull_requests_size_idx', { synchronize: false })
@Index('metric_pull_requests_reviews_idx', { synchronize: false })
export class MetricPullRequestEntity {
  /** Covering (INCLUDE), which @Index cannot state: a percentile reads one bin's values in order. */
  static readonly expressionIndexes = Object.fromEntries(
    (
      [
        ['coding', 'coding_seconds'],
        ['pickup', 'pickup_seconds'],
        ['review', 'review_seconds'],
        ['deploy', 'deploy_seconds'],
        ['cycle', 'cycle_seconds'],
        ['size', 'size'],
        ['reviews', 'reviews'],
      ] as const
    ).map(([measure, column]) => [
      `metric_pull_requests_${measure}_idx`,
      `CREATE INDEX metric_pull_requests_${measure}_idx ON metric_pull_requests (${column}) INCLUDE (merged_at)`,
    ]),
  );

  @PrimaryColumn('uuid', { name: 'pull_request_id' })
  @ForeignKey(() => PullRequestEntity, {
    name: 'metric_pull_requests_pull_request_id_fkey',
    onDelete: 'CASCADE',
  })
  pullRequestId!: string;
  @Column('uuid', { name: 'repository_id' }) repositoryId!: string;
  @Column('uuid', { name: 'author_identity_id', nullable: true }) authorIdentityId!: string | null;
  @Column('timestamptz', { name: 'merged_at' }) mergedAt!: Date;
  @Column('timestamptz', { name: 'first_commit_at', nullable: true }) firstCommitAt!: Date | null;
  @Column('timestamptz', { name: 'ready_at' }) readyAt!: Date;
  @Column('timestamptz', { name: 'first_review_at', nullable: true }) firstReviewAt!: Date | null;
  @Column('timestamptz', { name: 'deployed_at', nullable: true }) deployedAt!: Date | null;
  @Column('uuid', { name: 'deployment_id', nullable: true }) deploymentId!: string | null;
  @Column('double precision', { name: 'coding_seconds', nullable: true })
  codingSeconds!: number | null;
  @Column('double precision', { name: 'pickup_seconds', nullable: true })
  pickupSeconds!: number | null;
  @Column('double precision', { name: 'review_seconds', nullable: true })
  reviewSeconds!: number | null;
  @Column('double precision', { name: 'deploy_seconds', nullable: true })
  deploySeconds!: number | null;
  @Column('double precision', { name: 'cycle_seconds', nullable: true })
  cycleSeconds!: number | null;
  @Column('integer', { nullable: true }) size!: number | null;
  @Column('integer') reviews!: number;
}

/** A reviewer's first review of a merged pull request after it was ready. */
@Entity('metric_review_turnarounds')
@Index('metric_review_turnarounds_time_idx', ['repositoryId', 'mergedAt'])
@Index('metric_review_turnarounds_reviewer_idx', { synchronize: false })
export class MetricReviewTurnaroundEntity {
  /** Covering (INCLUDE), which @Index cannot state: one reviewer's turnarounds in a window. */
  static readonly expressionIndexes = {
    metric_review_turnarounds_reviewer_idx: `CREATE INDEX metric_review_turnarounds_reviewer_idx ON metric_review_turnarounds (reviewer_identity_id, merged_at) INCLUDE (turnaround_seconds, repository_id)`,
  };

  @PrimaryColumn('uuid', { name: 'pull_request_id' })
  @ForeignKey(() => MetricPullRequestEntity, {
    name: 'metric_review_turnarounds_pull_request_id_fkey',
    onDelete: 'CASCADE',
  })
  pullRequestId!: string;
  @PrimaryColumn('uuid', { name: 'reviewer_identity_id' }) reviewerIdentityId!: string;
  @Column('uuid', { name: 'repository_id' }) repositoryId!: string;
  @Column('timestamptz', { name: 'merged_at' }) mergedAt!: Date;
  @Column('timestamptz', { name: 'first_review_at' }) firstReviewAt!: Date;
  @Column('double precision', { name: 'turnaround_seconds' }) turnaroundSeconds!: number;
}

/**
 * How many values of a measure fell in a bin on a day, and their sum (migration 0014). Rows
 * are appended by statement triggers on metric_changes and metric_pull_requests (a delete
 * appends negative counts) and folded by the metrics upkeep.
 */
@Entity('metric_value_bins')
@Index('metric_value_bins_day_idx', { synchronize: false })
@Check(
  'metric_value_bins_measure_check',
  `measure IN ('lead', 'coding', 'pickup', 'review', 'deploy', 'cycle', 'size', 'reviews')`,
)
export class MetricValueBinEntity {
  static readonly expressionIndexes = {
    metric_value_bins_day_idx: `CREATE INDEX metric_value_bins_day_idx ON metric_value_bins (measure, day) INCLUDE (bin, n, total, lo, hi)`,
  };

  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('text') measure!: string;
  @Column('date') day!: string;
  @Column('integer') bin!: number;
  @Column('integer') n!: number;
  @Column('double precision') total!: number;
  /** Bounds of the values counted (deletes can only widen them). */
  @Column('double precision') lo!: number;
  @Column('double precision') hi!: number;
}

export const METRIC_ENTITIES = [
  RepositoryMetricSettingsEntity,
  MetricDirtyEntity,
  MetricDeploymentEntity,
  MetricChangeEntity,
  MetricPullRequestEntity,
  MetricReviewTurnaroundEntity,
  MetricValueBinEntity,
];
