import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every Prometheus metric Hookyard exports, on one registry per application. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'hookyard_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /**
   * httpRequestDuration's series, bound once each: prom-client validates and hashes the label
   * set on every `observe(labels, value)`, on every request. Few (routes × methods × statuses).
   */
  private readonly httpSeries = new Map<string, { observe(seconds: number): void }>();

  readonly jobDuration = new Histogram({
    name: 'hookyard_job_duration_seconds',
    help: 'Job run time by queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'hookyard_queue_jobs',
    help: 'Jobs in each queue by state (read from Redis at scrape time)',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly webhooksReceived = new Counter({
    name: 'hookyard_webhooks_received_total',
    help: 'Webhook requests received, by provider',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly webhooksAnswered = new Counter({
    name: 'hookyard_webhooks_answered_total',
    help: 'Webhook answers by provider, outcome (accepted, duplicate, rejected, unavailable) and reason',
    labelNames: ['provider', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly webhookAnswerDuration = new Histogram({
    name: 'hookyard_webhook_answer_duration_seconds',
    help: 'Time from request to answer for webhook deliveries, by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly outboxLag = new Gauge({
    name: 'hookyard_outbox_lag_seconds',
    help: 'Age of the oldest delivery stored but not yet queued',
    registers: [this.registry],
  });

  readonly outboxPending = new Gauge({
    name: 'hookyard_outbox_pending',
    help: 'Deliveries stored but not yet queued',
    registers: [this.registry],
  });

  readonly deliveriesRecovered = new Counter({
    name: 'hookyard_deliveries_recovered_total',
    help: 'Deliveries the outbox sweep found stuck: requeued (job lost from Redis) or dead (BullMQ gave up)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly collectors: Array<() => Promise<void>> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hookyard_' });
  }

  /** Registers work to run before each scrape (e.g. reading queue depth from Redis). */
  onScrape(collect: () => Promise<void>): void {
    this.collectors.push(collect);
  }

  /** One answered HTTP request, in httpRequestDuration (`route`: the route's pattern). */
  observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${statusCode} ${route}`;
    let series = this.httpSeries.get(key);
    if (series === undefined) {
      series = this.httpRequestDuration.labels({
        method,
        route,
        status_code: String(statusCode),
      });
      this.httpSeries.set(key, series);
    }
    series.observe(seconds);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((c) => c()));
    return this.registry.metrics();
  }
}
