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
import { CiJobEntity } from '../activity/entities/ci-job.entity';
import { CiRunEntity } from '../activity/entities/ci-run.entity';
import { RepositoryEntity } from '../activity/entities/repository.entity';
import { AnalysisTestReportEntity } from './test-reports/analysis-test-report.entity';

/** A CI log, gzip-compressed, stored once by the SHA-256 of its text (migration 0012). */
@Entity('analysis_logs')
@Index('analysis_logs_last_used_idx', ['lastUsedAt'])
export class AnalysisLogEntity {
  @PrimaryColumn('text', { name: 'trace_hash' })
  traceHash!: string;

  @Column('bytea')
  content!: Buffer;

  /** Size of the uncompressed log. */
  @Column('integer')
  bytes!: number;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_used_at', default: () => 'now()' })
  lastUsedAt!: Date;
}

export type ParseSource = 'log' | 'test-report';

/** That a log was parsed by one parser version (its problems hang from this row). */
@Entity('analysis_parses')
@Index('analysis_parses_version_idx', ['parserVersion'])
@Check('analysis_parses_source_check', `source IN ('log', 'test-report')`)
export class AnalysisParseEntity {
  @PrimaryColumn('text', { name: 'trace_hash' })
  @ForeignKey(() => AnalysisLogEntity, {
    name: 'analysis_parses_trace_hash_fkey',
    onDelete: 'CASCADE',
  })
  traceHash!: string;

  @PrimaryColumn('integer', { name: 'parser_version' })
  parserVersion!: number;

  @Column('integer')
  problems!: number;

  /** What was parsed: a job's log, or the text of its test-report cases (migration 0017). */
  @Column('text', { default: 'log' })
  source!: ParseSource;

  @Column('timestamptz', { name: 'parsed_at', default: () => 'now()' })
  parsedAt!: Date;
}

/** One problem a parser version found in a log. Never updated: a new version adds rows. */
@Entity('analysis_problems')
@Unique('analysis_problems_trace_hash_parser_version_ordinal_key', [
  'traceHash',
  'parserVersion',
  'ordinal',
])
@Check('analysis_problems_severity_check', `severity IN ('error', 'warning')`)
@ForeignKey(
  () => AnalysisParseEntity,
  ['traceHash', 'parserVersion'],
  ['traceHash', 'parserVersion'],
  {
    name: 'analysis_problems_trace_hash_parser_version_fkey',
    onDelete: 'CASCADE',
  },
)
export class AnalysisProblemEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text', { name: 'trace_hash' })
  traceHash!: string;

  @Column('integer', { name: 'parser_version' })
  parserVersion!: number;

  @Column('integer')
  ordinal!: number;

  @Column('text')
  tool!: string;

  @Column('text')
  severity!: string;

  @Column('text', { nullable: true })
  code!: string | null;

  @Column('text')
  message!: string;

  @Column('text', { nullable: true })
  file!: string | null;

  @Column('integer', { nullable: true })
  line!: number | null;

  @Column('integer', { nullable: true })
  column!: number | null;

  @Column('text', { name: 'test_name', nullable: true })
  testName!: string | null;

  @Column('text')
  fingerprint!: string;

  /** First and last line (0-based) of the cleaned log that belong to the problem. */
  @Column('integer', { name: 'start_line' })
  startLine!: number;

  @Column('integer', { name: 'end_line' })
  endLine!: number;
}

export type AnalysisStatus = 'pending' | 'analyzed' | 'skipped' | 'failed';

export type JobTestReportStatus =
  'read' | 'no_failures' | 'empty' | 'not_found' | 'unavailable' | 'failed';

/** The analysis status of one CI job. */
@Entity('analysis_jobs')
@Index('analysis_jobs_repository_idx', ['repositoryId', 'status'])
@Index('analysis_jobs_trace_idx', ['traceHash'])
@Check('analysis_jobs_status_check', `status IN ('pending', 'analyzed', 'skipped', 'failed')`)
@Check(
  'analysis_jobs_test_report_status_check',
  `test_report_status IN ('read', 'no_failures', 'empty', 'not_found', 'unavailable', 'failed')`,
)
export class AnalysisJobEntity {
  @PrimaryColumn('uuid', { name: 'ci_job_id' })
  @ForeignKey(() => CiJobEntity, { name: 'analysis_jobs_ci_job_id_fkey', onDelete: 'CASCADE' })
  ciJobId!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'analysis_jobs_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @Column('text')
  status!: AnalysisStatus;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('text', { name: 'trace_hash', nullable: true })
  @ForeignKey(() => AnalysisLogEntity, {
    name: 'analysis_jobs_trace_hash_fkey',
    onDelete: 'SET NULL',
  })
  traceHash!: string | null;

  @Column('integer', { name: 'parser_version', nullable: true })
  parserVersion!: number | null;

  @Column('integer', { default: 0 })
  attempts!: number;

  /** Its outcome is on the pull request and commit status (or there was nothing to report). */
  @Column('boolean', { default: false })
  reported!: boolean;

  /** The stored text of the job's failed test-report cases (GitLab), read into problems. */
  @Column('text', { name: 'test_report_hash', nullable: true })
  @ForeignKey(() => AnalysisLogEntity, {
    name: 'analysis_jobs_test_report_hash_fkey',
    onDelete: 'SET NULL',
  })
  testReportHash!: string | null;

  /** What the pipeline's test report gave this job; null where the forge has none. */
  @Column('text', { name: 'test_report_status', nullable: true })
  testReportStatus!: JobTestReportStatus | null;

  @Column('text', { name: 'test_report_reason', nullable: true })
  testReportReason!: string | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

/**
 * A problem of an analysed job with what was known when it was analysed (pull request, new or
 * already failing on the base branch, first seen): the rows the API serves in one query.
 */
@Entity('analysis_findings')
@Unique('analysis_findings_ci_job_id_problem_id_key', ['ciJobId', 'problemId'])
@Index('analysis_findings_list_idx', ['repositoryId', 'createdAt', 'id'])
@Index('analysis_findings_sha_idx', ['repositoryId', 'headSha'])
@Index('analysis_findings_file_idx', ['repositoryId', 'file'])
@Index('analysis_findings_run_idx', ['ciRunId'])
@Index('analysis_findings_problem_idx', ['problemId'])
// gin (pull_request_numbers): TypeORM cannot describe the access method; the migration owns it.
@Index('analysis_findings_pr_idx', { synchronize: false })
export class AnalysisFindingEntity {
  static readonly expressionIndexes = {
    analysis_findings_pr_idx: `CREATE INDEX analysis_findings_pr_idx
      ON analysis_findings USING gin (pull_request_numbers)`,
  };

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'ci_job_id' })
  @ForeignKey(() => AnalysisJobEntity, {
    name: 'analysis_findings_ci_job_id_fkey',
    onDelete: 'CASCADE',
  })
  ciJobId!: string;

  @Column('uuid', { name: 'problem_id' })
  @ForeignKey(() => AnalysisProblemEntity, {
    name: 'analysis_findings_problem_id_fkey',
    onDelete: 'CASCADE',
  })
  problemId!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'analysis_findings_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @Column('uuid', { name: 'ci_run_id', nullable: true })
  @ForeignKey(() => CiRunEntity, { name: 'analysis_findings_ci_run_id_fkey', onDelete: 'SET NULL' })
  ciRunId!: string | null;

  @Column('text', { name: 'head_sha' })
  headSha!: string;

  @Column('text', { name: 'head_branch', nullable: true })
  headBranch!: string | null;

  @Column('integer', { name: 'pull_request_numbers', array: true, default: [] })
  pullRequestNumbers!: number[];

  @Column('text')
  tool!: string;

  @Column('text', { nullable: true })
  file!: string | null;

  @Column('text')
  fingerprint!: string;

  @Column('boolean', { name: 'new_in_pull_request' })
  newInPullRequest!: boolean;

  @Column('text', { name: 'first_seen_sha' })
  firstSeenSha!: string;

  @Column('text', { name: 'first_seen_branch', nullable: true })
  firstSeenBranch!: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}

/** Where a problem (by fingerprint) was first and last seen in a repository. */
@Entity('analysis_fingerprints')
export class AnalysisFingerprintEntity {
  @PrimaryColumn('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'analysis_fingerprints_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @PrimaryColumn('text')
  fingerprint!: string;

  @Column('text', { name: 'first_seen_sha' })
  firstSeenSha!: string;

  @Column('text', { name: 'first_seen_branch', nullable: true })
  firstSeenBranch!: string | null;

  @Column('timestamptz', { name: 'first_seen_at' })
  firstSeenAt!: Date;

  @Column('text', { name: 'last_seen_sha' })
  lastSeenSha!: string;

  @Column('text', { name: 'last_seen_branch', nullable: true })
  lastSeenBranch!: string | null;

  @Column('timestamptz', { name: 'last_seen_at' })
  lastSeenAt!: Date;
}

export const ANALYSIS_ENTITIES = [
  AnalysisLogEntity,
  AnalysisParseEntity,
  AnalysisProblemEntity,
  AnalysisJobEntity,
  AnalysisFindingEntity,
  AnalysisFingerprintEntity,
  AnalysisTestReportEntity,
];
