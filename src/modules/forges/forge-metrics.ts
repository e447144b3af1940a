import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../core/observability/metrics.service';

/** Prometheus metrics of outbound forge access, on the application's registry. */
@Injectable()
export class ForgeMetrics {
  readonly requests: Counter<'forge' | 'method' | 'status'>;
  readonly errors: Counter<'forge' | 'kind'>;
  readonly throttledWaits: Counter<'forge'>;
  readonly throttledSeconds: Counter<'forge'>;
  readonly remaining: Gauge<'forge' | 'origin'>;
  readonly refusedUrls: Counter<'forge' | 'reason'>;
  readonly reconciliation: Counter<'outcome'>;
  readonly feedback: Counter<'forge' | 'kind' | 'outcome'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'hookyard_forge_requests_total',
      help: 'Outbound forge API calls by forge, method and HTTP status (or network, timeout)',
      labelNames: ['forge', 'method', 'status'] as const,
      registers,
    });
    this.errors = new Counter({
      name: 'hookyard_forge_errors_total',
      help: 'Failed outbound forge calls by forge and kind (network, timeout, server, client, throttled)',
      labelNames: ['forge', 'kind'] as const,
      registers,
    });
    this.throttledWaits = new Counter({
      name: 'hookyard_forge_throttled_waits_total',
      help: 'Outbound calls that waited for a forge rate limit (Retry-After, X-RateLimit-Reset)',
      labelNames: ['forge'] as const,
      registers,
    });
    this.throttledSeconds = new Counter({
      name: 'hookyard_forge_throttled_wait_seconds_total',
      help: 'Time spent waiting for forge rate limits',
      labelNames: ['forge'] as const,
      registers,
    });
    this.remaining = new Gauge({
      name: 'hookyard_forge_rate_limit_remaining',
      help: 'Remaining API quota the forge last reported, by forge and API origin',
      labelNames: ['forge', 'origin'] as const,
      registers,
    });
    this.refusedUrls = new Counter({
      name: 'hookyard_forge_refused_urls_total',
      help: 'Outbound URLs refused because their origin is not configured for the source',
      labelNames: ['forge', 'reason'] as const,
      registers,
    });
    this.reconciliation = new Counter({
      name: 'hookyard_reconciliation_total',
      help: 'Reconciliation counts: hooks_checked, deliveries_seen, missing, redelivery_requested, recovered',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.feedback = new Counter({
      name: 'hookyard_forge_feedback_total',
      help: 'Pull-request feedback by forge, kind (comment, status) and outcome',
      labelNames: ['forge', 'kind', 'outcome'] as const,
      registers,
    });
  }
}
