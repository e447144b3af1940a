import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { IdentityResolver } from '../../users/identity-resolver';
import { DeploymentEvent } from '../domain-events';
import { incomingIsAsNew } from './newest-wins';
import { RecordContext } from './record-context';

const UPSERT = namedInsert(
  'deployments',
  [
    'repository_id',
    'external_id',
    'environment',
    'ref',
    'sha',
    'creator_identity_id',
    'url',
    'created_at',
    'updated_at',
    'production',
  ],
  `ON CONFLICT ON CONSTRAINT deployments_repository_id_external_id_key DO UPDATE SET
     environment = CASE WHEN ${incomingIsAsNew('deployments')} THEN excluded.environment ELSE deployments.environment END,
     url = coalesce(excluded.url, deployments.url),
     production = coalesce(excluded.production, deployments.production),
     creator_identity_id = coalesce(deployments.creator_identity_id, excluded.creator_identity_id),
     updated_at = greatest(deployments.updated_at, excluded.updated_at)
   RETURNING id`,
);

const INSERT_STATUS = namedInsert(
  'deployment_statuses',
  ['deployment_id', 'external_id', 'state', 'description', 'url', 'created_at'],
  'ON CONFLICT ON CONSTRAINT deployment_statuses_deployment_id_state_created_at_key DO NOTHING',
);

/** A newer status moves the deployment's latest state; an older one arriving late does not. */
const SET_LATEST_STATE = `UPDATE deployments SET latest_state = $2, latest_state_at = $3
  WHERE id = $1 AND (latest_state_at IS NULL OR latest_state_at <= $3)`;

/** Deployments (table `deployments`) and the states they went through (`deployment_statuses`). */
@Injectable()
export class DeploymentWriter {
  constructor(private readonly identities: IdentityResolver) {}

  async write(ctx: RecordContext, repositoryId: string, event: DeploymentEvent): Promise<void> {
    const d = event.deployment;
    const creator = await this.identities.resolve(ctx.identities, d.creator);
    const [row] = await ctx.session.query<{ id: string }>(
      UPSERT.sql,
      UPSERT.paramsOf({
        repository_id: repositoryId,
        external_id: d.externalId,
        environment: d.environment,
        ref: d.ref ?? null,
        sha: d.sha,
        creator_identity_id: creator?.identityId ?? null,
        url: d.url ?? null,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
        production: d.production ?? null,
      }),
    );
    if (!event.status) return;
    const s = event.status;
    ctx.session.defer(
      'deployment_statuses',
      INSERT_STATUS.sql,
      INSERT_STATUS.paramsOf({
        deployment_id: row.id,
        external_id: s.externalId ?? null,
        state: s.state,
        description: s.description ?? null,
        url: s.url ?? null,
        created_at: s.createdAt,
      }),
      { insertOrIgnore: true },
    );
    ctx.session.defer('deployments', SET_LATEST_STATE, [row.id, s.state, s.createdAt]);
  }
}
