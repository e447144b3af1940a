import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { PageQuery } from '../../../core/http/page-query.dto';
import { NEXT_CURSOR_PROPERTY, ShaPrefixFilter, TextFilter } from '../../activity/read/read.dto';
import { Tool } from '../parsers/problem';

export const TRACE_MODES = ['compact', 'balanced', 'full'] as const;
export type TraceMode = (typeof TRACE_MODES)[number];

export function isTraceMode(value: string): value is TraceMode {
  return (TRACE_MODES as readonly string[]).includes(value);
}
export const ANALYSIS_STATUSES = ['pending', 'analyzed', 'skipped', 'failed'] as const;

export class ProblemFilter extends PageQuery {
  @TextFilter('Repository id (uuid) or full name (owner/name)', 500)
  repository?: string;

  @ShaPrefixFilter('Only problems of jobs at this commit (a prefix is enough)')
  sha?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Only problems of this pull request' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  pullRequest?: number;

  @TextFilter('Only problems that name this file (path as the tool printed it)', 1000)
  file?: string;

  @ApiPropertyOptional({ enum: Object.values(Tool) })
  @IsOptional()
  @IsIn(Object.values(Tool))
  tool?: Tool;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: only problems new in their pull request; false: only the others',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  new?: 'true' | 'false';
}

export class FileProblemsQuery extends PageQuery {
  @ApiProperty({ description: 'Repository id (uuid) or full name (owner/name)', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  repository!: string;

  @ApiProperty({ description: 'The file, as the tools print it (relative path)', maxLength: 1000 })
  @IsString()
  @Length(1, 1000)
  path!: string;
}

export class TraceQuery {
  @ApiPropertyOptional({
    enum: TRACE_MODES,
    default: 'balanced',
    description: 'compact: the lines of the error; balanced: with context; full: the whole log',
  })
  @IsOptional()
  @IsIn(TRACE_MODES)
  mode?: TraceMode;
}

export class ProblemView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) ciJobId!: string;
  @ApiProperty({ enum: Object.values(Tool) }) tool!: string;
  @ApiProperty({ enum: ['error', 'warning'] }) severity!: string;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'TS2322' }) code!: string | null;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) file!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) line!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) column!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) testName!: string | null;
  @ApiProperty({ description: 'Stable across runs (no line numbers, times, temp paths)' })
  fingerprint!: string;
  @ApiProperty({
    description: "In a pull request's run: not seen on the base branch's latest analysed run",
  })
  newInPullRequest!: boolean;
  @ApiProperty({ description: 'The same job also passed on the same commit' }) flaky!: boolean;
  @ApiProperty({ description: 'The commit this problem was first seen on' }) firstSeenSha!: string;
}

export class ProblemPageView {
  @ApiProperty({ type: [ProblemView] }) items!: ProblemView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}

export const TEST_REPORT_STATUSES = [
  'read',
  'no_failures',
  'empty',
  'not_found',
  'unavailable',
  'failed',
] as const;

/** What the pipeline's test report (GitLab) gave the job. */
export class JobTestReportView {
  @ApiProperty({ enum: TEST_REPORT_STATUSES }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
}

export class CiJobAnalysisView {
  @ApiProperty({ format: 'uuid' }) ciJobId!: string;
  @ApiProperty({ enum: ANALYSIS_STATUSES }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) traceHash!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) parserVersion!: number | null;
  @ApiProperty({ type: [ProblemView] }) problems!: ProblemView[];
  @ApiPropertyOptional({
    nullable: true,
    type: JobTestReportView,
    description: "The pipeline's test report (GitLab); null where the forge serves none",
  })
  testReport!: JobTestReportView | null;
}

export class FailedJobView {
  @ApiProperty({ format: 'uuid' }) ciJobId!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) conclusion!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiProperty() allowFailure!: boolean;
  @ApiProperty({ enum: ANALYSIS_STATUSES }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty() problems!: number;
}

export class FailedJobsView {
  @ApiProperty({ format: 'uuid' }) ciRunId!: string;
  @ApiProperty({ type: [FailedJobView] }) items!: FailedJobView[];
}

export class TraceView {
  @ApiProperty({ format: 'uuid' }) problemId!: string;
  @ApiProperty({ enum: TRACE_MODES }) mode!: string;
  @ApiProperty() traceHash!: string;
  @ApiProperty({ description: '1-based number of the first line shown, in the cleaned log' })
  firstLine!: number;
  @ApiProperty({ type: [String], description: 'Cleaned log lines, secrets masked' })
  lines!: string[];
}

export class AnalysisCacheView {
  @ApiProperty({ description: 'Stored logs (gzip), each parsed once per parser version' })
  logs!: number;
  @ApiProperty({ description: 'Uncompressed bytes of the stored logs' }) logBytes!: number;
  @ApiProperty({ description: 'Stored bytes (gzip)' }) storedBytes!: number;
  @ApiProperty() parserVersion!: number;
  @ApiProperty({ description: 'Parses per parser version' })
  parses!: Record<string, number>;
  @ApiProperty({ description: 'CI jobs by analysis status' }) jobs!: Record<string, number>;
}
