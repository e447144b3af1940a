import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { IdentityResolver } from '../../users/identity-resolver';
import { CiRunEvent } from '../domain-events';
import { CI_STATUSES, incomingIsNewer, takeIfNewer } from './newest-wins';
import { RecordContext } from './record-context';

const NEWER = incomingIsNewer('ci_runs', CI_STATUSES);

const UPSERT = namedInsert(
  'ci_runs',
  [
    'repository_id',
    'source',
    'external_id',
    'name',
    'status',
    'conclusion',
    'head_sha',
    'head_branch',
    'trigger',
    'run_number',
    'attempt',
    'url',
    'actor_identity_id',
    'pull_request_numbers',
    'created_at',
    'started_at',
    'completed_at',
    'updated_at',
  ],
  `ON CONFLICT ON CONSTRAINT ci_runs_repository_id_source_external_id_key DO UPDATE SET
     ${takeIfNewer('ci_runs', NEWER, ['name', 'status', 'conclusion', 'head_branch', 'attempt', 'url', 'pull_request_numbers', 'completed_at'])},
     started_at = coalesce(ci_runs.started_at, excluded.started_at),
     actor_identity_id = coalesce(ci_runs.actor_identity_id, excluded.actor_identity_id),
     updated_at = greatest(ci_runs.updated_at, excluded.updated_at)`,
);

/** CI runs: workflow runs, pipelines, check suites (table `ci_runs`, newest status wins). */
@Injectable()
export class CiRunWriter {
  constructor(private readonly identities: IdentityResolver) {}

  async write(ctx: RecordContext, repositoryId: string, event: CiRunEvent): Promise<void> {
    const run = event.run;
    const actor = await this.identities.resolve(ctx.identities, run.actor);
    ctx.session.defer(
      'ci_runs',
      UPSERT.sql,
      UPSERT.paramsOf({
        repository_id: repositoryId,
        source: run.source,
        external_id: run.externalId,
        name: run.name ?? null,
        status: run.status,
        conclusion: run.conclusion ?? null,
        head_sha: run.headSha,
        head_branch: run.headBranch ?? null,
        trigger: run.trigger ?? null,
        run_number: run.runNumber ?? null,
        attempt: run.attempt ?? null,
        url: run.url ?? null,
        actor_identity_id: actor?.identityId ?? null,
        pull_request_numbers: run.pullRequestNumbers,
        created_at: run.createdAt,
        started_at: run.startedAt ?? null,
        completed_at: run.completedAt ?? null,
        updated_at: run.updatedAt,
      }),
    );
  }
}
