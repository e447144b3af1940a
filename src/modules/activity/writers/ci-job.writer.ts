import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { CiJobEvent } from '../domain-events';
import { CI_STATUSES, incomingIsNewer, takeIfNewer } from './newest-wins';
import { RecordContext } from './record-context';

const NEWER = incomingIsNewer('ci_jobs', CI_STATUSES);

const UPSERT = namedInsert(
  'ci_jobs',
  [
    'repository_id',
    'source',
    'external_id',
    'run_external_id',
    'name',
    'status',
    'conclusion',
    'head_sha',
    'head_branch',
    'stage',
    'url',
    'runner_name',
    'allow_failure',
    'created_at',
    'started_at',
    'completed_at',
    'updated_at',
  ],
  `ON CONFLICT ON CONSTRAINT ci_jobs_repository_id_source_external_id_key DO UPDATE SET
     ${takeIfNewer('ci_jobs', NEWER, ['name', 'status', 'conclusion', 'url', 'runner_name', 'allow_failure', 'completed_at'])},
     started_at = coalesce(ci_jobs.started_at, excluded.started_at),
     updated_at = greatest(ci_jobs.updated_at, excluded.updated_at)`,
);

/** Jobs of CI runs (table `ci_jobs`, newest status wins). */
@Injectable()
export class CiJobWriter {
  write(ctx: RecordContext, repositoryId: string, event: CiJobEvent): void {
    const job = event.job;
    ctx.session.defer(
      'ci_jobs',
      UPSERT.sql,
      UPSERT.paramsOf({
        repository_id: repositoryId,
        source: job.source,
        external_id: job.externalId,
        run_external_id: job.runExternalId ?? null,
        name: job.name,
        status: job.status,
        conclusion: job.conclusion ?? null,
        head_sha: job.headSha,
        head_branch: job.headBranch ?? null,
        stage: job.stage ?? null,
        url: job.url ?? null,
        runner_name: job.runnerName ?? null,
        allow_failure: job.allowFailure ?? false,
        created_at: job.createdAt,
        started_at: job.startedAt ?? null,
        completed_at: job.completedAt ?? null,
        updated_at: job.updatedAt,
      }),
    );
  }
}
