import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { UnitsOfWork } from '../../../core/database/unit-of-work';
import { messageOf } from '../../../core/errors/message-of';
import { JobName, JobPayloads } from '../../../core/jobs/job-catalogue';
import { JobHandler } from '../../../core/jobs/job-handler.decorator';
import { JobsService } from '../../../core/jobs/jobs.service';
import { ActivityRecorder, RecordedActivity } from '../../activity/activity-recorder';
import { DomainEvent, UnreadablePayloadError } from '../../activity/domain-events';
import { storableEvents } from '../../activity/storable-events';
import { isRefusedInput, refusedInputReason } from '../../../core/database/refused-input';
import { IndexingService } from '../../indexing/indexing.service';
import { IdentityResolver } from '../../users/identity-resolver';
import { adapterFor } from '../../webhooks/providers';
import { isProvider } from '../../webhooks/providers/provider-adapter';
import { SourcesService } from '../../webhooks/sources/sources.service';
import { DeliveryReader, WorkDelivery } from '../delivery-reader';
import { DeliveryLifecycleRepository } from '../delivery-lifecycle.repository';
import { DeliveryStatus } from '../delivery-status';
import { storedPayloadOf } from '../stored-payload';

function firstString(
  events: DomainEvent[],
  pick: (e: DomainEvent) => string | undefined,
): string | null {
  for (const event of events) {
    const value = pick(event);
    if (value) return value;
  }
  return null;
}

/**
 * Where a delivery is processed (job `delivery.process`): normalizes it into domain events and records them in one
 * transaction that also sets its final status. Transient failures go back to BullMQ to be
 * retried; a payload that cannot be understood goes straight to `dead`.
 */
@Injectable()
export class ProcessDeliveryHandler {
  private readonly logger = new Logger(ProcessDeliveryHandler.name);

  constructor(
    private readonly lifecycle: DeliveryLifecycleRepository,
    private readonly units: UnitsOfWork,
    private readonly reader: DeliveryReader,
    private readonly recorder: ActivityRecorder,
    private readonly identities: IdentityResolver,
    private readonly jobs: JobsService,
    private readonly sources: SourcesService,
    private readonly indexing: IndexingService,
  ) {}

  @JobHandler(JobName.ProcessDelivery)
  async process(payload: JobPayloads[JobName.ProcessDelivery], job: Job): Promise<DeliveryStatus> {
    try {
      const delivery = await this.load(payload.deliveryId);
      // Already final (processed meanwhile, cancelled, or a repeat job): nothing to do.
      if (!delivery) return DeliveryStatus.Processed;
      const events = await this.normalize(delivery);
      const status = events.length > 0 ? DeliveryStatus.Processed : DeliveryStatus.Ignored;
      // One transaction per delivery: the records and the final status commit together, or
      // not at all. With the repository and the people already known, that is ONE statement.
      const unit = this.units.begin();
      const scope = this.identities.scope(unit, delivery.provider);
      const afterCommit: Array<() => void> = [];
      let activity: RecordedActivity;
      try {
        activity = await this.recorder.record(
          {
            session: unit,
            provider: delivery.provider,
            deliveryId: delivery.id,
            identities: scope,
            afterCommit,
          },
          events,
        );
      } catch (error) {
        await unit.rollback(error);
        throw error;
      }
      const claimed = await unit.commit(
        this.lifecycle.finishStatement(
          delivery.id,
          status,
          firstString(events, (e) => ('action' in e ? e.action : undefined)),
          firstString(events, (e) => e.repository.fullName),
        ),
      );
      // Someone finished or cancelled it meanwhile: none of this attempt was kept.
      if (!claimed) return DeliveryStatus.Processed;
      this.identities.commit(scope);
      for (const run of afterCommit) run();
      // A test delivery shows the way in; indexing, metrics and analysis have nothing to learn.
      if (!delivery.test) await this.enqueueFollowups(activity);
      return status;
    } catch (caught) {
      // A value PostgreSQL refuses is refused on every retry: dead at once, saying why.
      const error = isRefusedInput(caught)
        ? new UnreadablePayloadError(refusedInputReason(caught))
        : caught;
      await this.recordFailure(payload.deliveryId, error, job);
      if (error instanceof UnreadablePayloadError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  private async normalize(claimed: WorkDelivery): Promise<DomainEvent[]> {
    if (!isProvider(claimed.provider)) {
      throw new UnreadablePayloadError(`unknown provider ${claimed.provider}`);
    }
    // The source's repository filter holds for replays too, not only at ingest.
    const source = await this.sources.resolve(claimed.provider, claimed.source);
    if (source?.accepts !== undefined && !source.accepts(claimed.repository ?? undefined))
      return [];
    return storableEvents(
      adapterFor(claimed.provider).normalize(
        claimed.event,
        storedPayloadOf(claimed.body, claimed.content_type),
        JSON.parse(claimed.headers) as Record<string, string>,
      ),
    );
  }

  /** The delivery to process; undefined when it is already final. */
  private async load(deliveryId: string): Promise<WorkDelivery | undefined> {
    const row = await this.reader.load(deliveryId);
    if (!row) throw new UnrecoverableError(`delivery ${deliveryId} does not exist`);
    return row.final ? undefined : row;
  }

  /**
   * Follow-ups are derived work: losing one (Redis down right now) loses no data, and the next
   * delivery or a manual trigger asks again. So a failure here is logged, not retried.
   */
  private async enqueueFollowups(recorded: RecordedActivity): Promise<void> {
    try {
      for (const repositoryId of recorded.repositoryIds) {
        await this.jobs.enqueueCoalesced(JobName.RefreshMetrics, { repositoryId });
      }
      const indexed = await this.indexing.indexedAmong(recorded.otherBranchPushes);
      for (const repositoryId of new Set([...recorded.defaultBranchPushes, ...indexed])) {
        await this.jobs.enqueueCoalesced(JobName.IndexRepository, { repositoryId });
      }
      for (const repositoryId of recorded.failedCiRepositories) {
        await this.jobs.enqueueCoalesced(JobName.AnalyzeCiFailure, { repositoryId });
      }
      for (const moved of recorded.movedPullRequestHeads) {
        await this.jobs.enqueueCoalesced(JobName.MarkAnalysisOutdated, {
          repositoryId: moved.repositoryId,
          pullRequest: moved.number,
        });
      }
    } catch (error) {
      this.logger.warn(`follow-up jobs not queued: ${messageOf(error)}`);
    }
  }

  /**
   * Books a failed attempt on the row. The job's own error is what BullMQ sees and retries on;
   * if this bookkeeping fails too (the database is what failed), it is logged, and the next
   * attempt or the outbox sweep brings the row up to date.
   */
  private async recordFailure(deliveryId: string, error: unknown, job: Job): Promise<void> {
    const attempts = job.opts.attempts ?? 1;
    // Transient or unknown errors are retried; a payload we cannot understand is not.
    const final =
      error instanceof UnreadablePayloadError ||
      error instanceof UnrecoverableError ||
      job.attemptsMade + 1 >= attempts;
    // The attempt's own increment was rolled back with its transaction: count it here. A
    // delivery that does not exist, or that someone finished meanwhile, is left alone.
    try {
      await this.lifecycle.recordFailure(
        deliveryId,
        final ? DeliveryStatus.Dead : DeliveryStatus.Failed,
        messageOf(error).slice(0, 2000),
      );
    } catch (bookkeeping) {
      this.logger.warn(
        `delivery ${deliveryId}: failed attempt not recorded (${messageOf(bookkeeping)}); the job error was: ${messageOf(error)}`,
      );
    }
  }
}
