import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FINAL_STATUSES_SQL } from '../../deliveries/delivery-status';
import { DeliveryStatus } from '../../deliveries/delivery-status';

export interface TestDeliveryState {
  status: DeliveryStatus;
  final: boolean;
  attempts: number;
  lastError: string | null;
  test: boolean;
}

export interface SampleRecords {
  repository: { id: string; fullName: string };
  pushes: { id: string; ref: string; beforeSha: string; afterSha: string }[];
  commits: { sha: string; message: string }[];
}

/** Where a test delivery stands, and the records its sample push left in the record. */
@Injectable()
export class TestDeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async state(deliveryId: string): Promise<TestDeliveryState | undefined> {
    const [row] = await this.dataSource.query<TestDeliveryState[]>(
      `SELECT status, status IN ${FINAL_STATUSES_SQL} AS final, attempts,
              last_error AS "lastError", test
       FROM deliveries WHERE id = $1`,
      [deliveryId],
    );
    return row;
  }

  /** The sample repository with the push to `afterSha` and its commit, as they were written. */
  async records(
    provider: string,
    externalId: string,
    ref: string,
    afterSha: string,
  ): Promise<SampleRecords | undefined> {
    const [row] = await this.dataSource.query<SampleRecords[]>(
      `SELECT json_build_object('id', r.id, 'fullName', r.full_name) AS repository,
         (SELECT coalesce(json_agg(json_build_object('id', p.id, 'ref', p.ref,
                   'beforeSha', p.before_sha, 'afterSha', p.after_sha)), '[]'::json)
          FROM pushes p WHERE p.repository_id = r.id AND p.ref = $3 AND p.after_sha = $4) AS pushes,
         (SELECT coalesce(json_agg(json_build_object('sha', c.sha, 'message', c.message)), '[]'::json)
          FROM commits c WHERE c.repository_id = r.id AND c.sha = $4) AS commits
       FROM repositories r WHERE r.provider = $1 AND r.external_id = $2`,
      [provider, externalId, ref, afterSha],
    );
    return row;
  }
}
