import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerLock } from '../../../core/database/scheduler-lock';
import { messageOf } from '../../../core/errors/message-of';
import { ForgeClient } from '../clients/forge-client';
import { ForgeMetrics } from '../forge-metrics';
import { ForgeHookDelivery } from '../forge-types';
import { DEFAULT_SOURCE_SLUG, ForgesService, NO_API_CREDENTIALS } from '../forges.service';
import { ReconciliationTrigger } from './reconciliation.entities';
import { HookRow, ReconciliationRepository, RunCounts, RunRow } from './reconciliation.repository';

const LOCK_NAME = 'forge-reconciliation';
/** A delivery is asked for again at most once per this window. */
export const REDELIVERY_WINDOW_MS = 60 * 60_000;

/**
 * Missed-delivery reconciliation: walks each known hook's deliveries on the forge since its
 * checkpoint, finds those Hookyard never stored, and asks the forge to send them again (at
 * most once per window). The redelivered request comes through the normal webhook path, so the
 * unique (provider, source, delivery id) makes a duplicate impossible.
 */
@Injectable()
export class ReconciliationService implements OnApplicationShutdown {
  private stopping = false;

  private readonly logger = new Logger(ReconciliationService.name);
  private current: Promise<void> | undefined;

  constructor(
    private readonly repository: ReconciliationRepository,
    private readonly forges: ForgesService,
    private readonly lock: SchedulerLock,
    private readonly metrics: ForgeMetrics,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // A run walking many hooks (each call retried against a slow forge) stops at the next hook
    // instead of holding the shutdown; the next run starts from the same checkpoint.
    // The schedule (ReconciliationTask) is cleared by @nestjs/schedule.
    this.stopping = true;
    await this.current?.catch(() => undefined);
  }

  /**
   * Starts a run unless one is running in any replica; answers the new run, or undefined.
   * The run goes on in the background under the advisory lock.
   */
  start(trigger: ReconciliationTrigger): Promise<RunRow | undefined> {
    return new Promise<RunRow | undefined>((resolve, reject) => {
      let started = false;
      const whole = this.lock
        .runExclusive(LOCK_NAME, async () => {
          await this.repository.abandonRunning();
          const run = await this.repository.createRun(trigger);
          started = true;
          resolve(run);
          await this.execute(run.id);
        })
        .then(
          (ran) => {
            if (!ran) resolve(undefined);
          },
          (error: unknown) => {
            if (!started) reject(error instanceof Error ? error : new Error(messageOf(error)));
            else this.logger.warn(`reconciliation failed: ${messageOf(error)}`);
          },
        );
      this.current = whole;
    });
  }

  /** Waits for the run this process is doing, if any (tests, shutdown). */
  async settled(): Promise<void> {
    await this.current;
  }

  private async execute(runId: string): Promise<void> {
    const counts: RunCounts = {
      hooksChecked: 0,
      deliveriesSeen: 0,
      missing: 0,
      redeliveryRequested: 0,
    };
    const problems: string[] = [];
    try {
      this.metrics.reconciliation.inc(
        { outcome: 'recovered' },
        await this.repository.markRecovered(),
      );
      const since = await this.repository.lastDiscovery();
      // Discovery looks a little further back than the last run, for deliveries in flight then.
      const from = since ? new Date(since.getTime() - 10 * 60_000) : undefined;
      await this.repository.discoverGitHubHooks(from);
      await this.discoverGitLabHooks(from, problems);
      for (const hook of await this.repository.hooks()) {
        if (this.stopping) {
          problems.push('stopped by shutdown before every hook was checked');
          break;
        }
        await this.reconcileHook(runId, hook, counts, problems);
      }
      await this.repository.finishRun(runId, 'finished', counts, problems);
    } catch (error) {
      problems.push(messageOf(error));
      await this.repository.finishRun(runId, 'failed', counts, problems);
      throw error;
    } finally {
      this.metrics.reconciliation.inc({ outcome: 'hooks_checked' }, counts.hooksChecked);
      this.metrics.reconciliation.inc({ outcome: 'deliveries_seen' }, counts.deliveriesSeen);
      this.metrics.reconciliation.inc({ outcome: 'missing' }, counts.missing);
      this.metrics.reconciliation.inc(
        { outcome: 'redelivery_requested' },
        counts.redeliveryRequested,
      );
    }
  }

  private async discoverGitLabHooks(since: Date | undefined, problems: string[]): Promise<void> {
    const projects = await this.repository.gitlabProjects(since);
    for (const project of projects) {
      const source = await this.forges.source('gitlab', project.source);
      if (!source?.credentials) continue;
      const path =
        project.source === DEFAULT_SOURCE_SLUG
          ? '/webhooks/gitlab'
          : `/webhooks/gitlab/${project.source}`;
      try {
        const hooks = await this.forges
          .clientFor(source)
          .discoverHooks(
            { fullName: project.repository, externalId: project.external_id ?? undefined },
            path,
          );
        for (const hook of hooks) {
          await this.repository.addHook('gitlab', project.source, hook.key, hook.repository);
        }
      } catch (error) {
        problems.push(`gitlab/${project.source} ${project.repository}: ${messageOf(error)}`);
      }
    }
  }

  private async reconcileHook(
    runId: string,
    hook: HookRow,
    counts: RunCounts,
    problems: string[],
  ): Promise<void> {
    const label = `${hook.provider}/${hook.source} ${hook.hook_key}`;
    const source = await this.forges.source(hook.provider, hook.source);
    if (!source) {
      problems.push(`${label}: the source no longer exists`);
      return;
    }
    if (!source.credentials) {
      problems.push(`${label}: ${NO_API_CREDENTIALS}`);
      return;
    }
    let client: ForgeClient;
    let deliveries: ForgeHookDelivery[];
    const ref = { key: hook.hook_key, repository: hook.repository ?? undefined };
    try {
      client = this.forges.clientFor(source);
      deliveries = await client.listHookDeliveries(ref, hook.checkpoint ?? undefined);
    } catch (error) {
      problems.push(`${label}: ${messageOf(error)}`);
      return;
    }
    counts.hooksChecked += 1;
    counts.deliveriesSeen += deliveries.length;
    // The newest attempt of each delivery (a forge lists each redelivery again).
    const latest = new Map<string, ForgeHookDelivery>();
    for (const delivery of deliveries) latest.set(delivery.providerDeliveryId, delivery);
    const ids = [...latest.keys()];
    const stored = await this.repository.stored(hook.provider, hook.source, ids);
    const missing = ids.filter((id) => !stored.has(id));
    counts.missing += missing.length;
    const claimed = await this.repository.claimRedeliveries(
      hook.provider,
      hook.source,
      missing,
      runId,
      REDELIVERY_WINDOW_MS,
    );
    let failed = false;
    for (const id of missing.filter((m) => claimed.has(m))) {
      const delivery = latest.get(id);
      if (!delivery) continue;
      try {
        await client.redeliver(ref, delivery);
        counts.redeliveryRequested += 1;
      } catch (error) {
        failed = true;
        await this.repository.releaseRedelivery(hook.provider, hook.source, id);
        problems.push(`${label}: redelivery of ${id} failed: ${messageOf(error)}`);
      }
    }
    // Move the checkpoint only when every missing delivery was asked for (or already was).
    const newest = deliveries.at(-1)?.cursor;
    if (!failed && newest !== undefined) await this.repository.saveCheckpoint(hook, newest);
  }
}
