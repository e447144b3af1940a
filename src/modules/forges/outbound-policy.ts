import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../../config/config';
import { ForgeOriginRefusedError, ForgeRequestError } from './forge-errors';
import { ForgeMetrics } from './forge-metrics';
import { checkOrigin } from './origin-guard';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Who a fetcher calls: the forge (metric label) and the lane (origin + credential). */
export interface OutboundTarget {
  forge: string;
  /** Calls with the same lane share concurrency and rate-limit state. */
  lane: string;
  /** Origins requests and redirects may go to. */
  origins: readonly string[];
  /**
   * Retry transient failures here (5xx, timeouts, resets; 429 after its wait). Off where an
   * SDK plugin retries instead (Octokit), so that one call is never retried twice over.
   */
  retries: boolean;
  /** A redirect target outside `origins` that is still allowed (a forge's documented log host). */
  allowRedirect?: (url: URL) => boolean;
}

export interface PolicyTuning {
  timeoutMs: number;
  concurrency: number;
  maxAttempts: number;
  backoffBaseMs: number;
  /** Longest wait honoured for one Retry-After / reset before giving up on the call. */
  maxWaitMs: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const MAX_REDIRECTS = 3;

class Lane {
  active = 0;
  blockedUntil = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  async acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

/** Seconds from Retry-After (delta or HTTP date). */
function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** X-RateLimit-Remaining (GitHub, Gitea) or RateLimit-Remaining (GitLab). */
function remainingOf(headers: Headers): number | undefined {
  const value = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Epoch seconds of the quota reset. */
function resetAtMs(headers: Headers): number | undefined {
  const value = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
  return value !== null && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}

function methodOf(input: string | URL | Request, init?: RequestInit): string {
  return (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
}

/** By name: the DOMException may come from another realm, where instanceof Error fails. */
function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : '';
  return name === 'TimeoutError' || name === 'AbortError';
}

/**
 * The one outbound policy for every forge: per-lane (origin + credential) concurrency, waits
 * for Retry-After and exhausted quotas shared by every call of the lane, a timeout on every
 * call, retries with exponential backoff for transient failures of calls that may be repeated
 * (never a 4xx other than 429; a POST only when the forge certainly did not act on it), manual
 * redirects that stay within the allowed origins, and metrics per forge.
 */
@Injectable()
export class OutboundPolicy {
  private readonly lanes = new Map<string, Lane>();
  readonly tuning: PolicyTuning;

  constructor(
    config: AppConfig,
    private readonly metrics: ForgeMetrics,
  ) {
    this.tuning = {
      timeoutMs: config.forgeApi.requestTimeoutMs,
      concurrency: 4,
      maxAttempts: 4,
      backoffBaseMs: 250,
      maxWaitMs: 60_000,
    };
  }

  /** Overrides for tests (short backoffs and timeouts). */
  tune(changes: Partial<PolicyTuning>): void {
    Object.assign(this.tuning, changes);
  }

  fetcher(target: OutboundTarget): Fetch {
    return (input, init) => this.call(target, input, init);
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(this.tuning.concurrency);
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private async waitForLane(target: OutboundTarget, lane: Lane): Promise<void> {
    const wait = lane.blockedUntil - Date.now();
    if (wait <= 0) return;
    if (wait > this.tuning.maxWaitMs) {
      throw new ForgeRequestError(
        `${target.forge} rate limit: next call allowed in ${Math.ceil(wait / 1000)} s`,
        429,
        true,
      );
    }
    this.metrics.throttledWaits.inc({ forge: target.forge });
    this.metrics.throttledSeconds.inc({ forge: target.forge }, wait / 1000);
    await sleep(wait);
  }

  private async call(
    target: OutboundTarget,
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> {
    const method = methodOf(input, init);
    let url = input instanceof Request ? input.url : String(input);
    let requestInit: RequestInit = init ?? {};
    if (input instanceof Request) {
      requestInit = {
        method: input.method,
        headers: input.headers,
        body: input.body === null ? undefined : await input.arrayBuffer(),
        ...init,
      };
    }
    this.assertOrigin(target, url);
    const lane = this.lane(target.lane);
    for (let attempt = 1, redirects = 0; ; attempt += 1) {
      await this.waitForLane(target, lane);
      await lane.acquire();
      let response: Response;
      try {
        const signals = [AbortSignal.timeout(this.tuning.timeoutMs)];
        if (requestInit.signal) signals.push(requestInit.signal);
        response = await fetch(url, {
          ...requestInit,
          method,
          redirect: 'manual',
          signal: AbortSignal.any(signals),
        });
      } catch (error) {
        const timedOut = isTimeout(error);
        this.metrics.requests.inc({
          forge: target.forge,
          method,
          status: timedOut ? 'timeout' : 'network',
        });
        this.metrics.errors.inc({ forge: target.forge, kind: timedOut ? 'timeout' : 'network' });
        // A POST that timed out may have been done by the forge: the caller looks first.
        if (target.retries && IDEMPOTENT.has(method) && attempt < this.tuning.maxAttempts) {
          await this.backoff(attempt);
          continue;
        }
        throw new ForgeRequestError(
          `${target.forge} ${method} ${timedOut ? 'timed out' : `failed: ${String((error as { message?: unknown }).message)}`}`,
          undefined,
          true,
        );
      } finally {
        lane.release();
      }
      this.metrics.requests.inc({ forge: target.forge, method, status: String(response.status) });
      this.observeQuota(target, lane, url, response);

      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        const next = new URL(response.headers.get('location') ?? '', url);
        if (redirects >= MAX_REDIRECTS) {
          throw new ForgeRequestError(
            `${target.forge}: too many redirects`,
            response.status,
            false,
          );
        }
        const sameOrigin = next.origin === new URL(url).origin;
        if (!target.allowRedirect?.(next)) this.assertOrigin(target, next.href);
        redirects += 1;
        attempt -= 1;
        const headers = new Headers(requestInit.headers);
        // Credentials never follow a redirect to another origin (signed log URLs need none).
        if (!sameOrigin) headers.delete('authorization');
        url = next.href;
        requestInit = { ...requestInit, headers, method: 'GET', body: undefined };
        continue;
      }

      const throttled = this.isThrottled(response);
      if (throttled) {
        this.metrics.errors.inc({ forge: target.forge, kind: 'throttled' });
        const wait =
          retryAfterMs(response.headers, Date.now()) ??
          Math.max(0, (resetAtMs(response.headers) ?? Date.now() + 60_000) - Date.now());
        lane.blockedUntil = Math.max(lane.blockedUntil, Date.now() + wait);
        // The forge refused before acting: safe to send again, whatever the method.
        if (target.retries && attempt < this.tuning.maxAttempts) continue;
        return response;
      }
      if (response.status >= 500 && target.retries && attempt < this.tuning.maxAttempts) {
        this.metrics.errors.inc({ forge: target.forge, kind: 'server' });
        if (IDEMPOTENT.has(method) || response.status === 503) {
          await response.body?.cancel();
          await this.backoff(attempt);
          continue;
        }
      }
      if (response.status >= 400) {
        this.metrics.errors.inc({
          forge: target.forge,
          kind: response.status >= 500 ? 'server' : 'client',
        });
      }
      return response;
    }
  }

  private assertOrigin(target: OutboundTarget, url: string): void {
    const verdict = checkOrigin(url, target.origins);
    if (!verdict.allowed) {
      this.metrics.refusedUrls.inc({ forge: target.forge, reason: verdict.reason });
      throw new ForgeOriginRefusedError(verdict.reason, target.forge);
    }
  }

  /** 429, or GitHub's 403 for an exhausted quota or a secondary rate limit. */
  private isThrottled(response: Response): boolean {
    if (response.status === 429) return true;
    if (response.status !== 403) return false;
    return remainingOf(response.headers) === 0 || response.headers.has('retry-after');
  }

  private observeQuota(target: OutboundTarget, lane: Lane, url: string, response: Response): void {
    const remaining = remainingOf(response.headers);
    if (remaining === undefined) return;
    this.metrics.remaining.set({ forge: target.forge, origin: new URL(url).origin }, remaining);
    const reset = resetAtMs(response.headers);
    if (remaining === 0 && reset !== undefined) {
      lane.blockedUntil = Math.max(lane.blockedUntil, reset);
    }
  }

  private async backoff(attempt: number): Promise<void> {
    const base = this.tuning.backoffBaseMs * 2 ** (attempt - 1);
    await sleep(Math.min(30_000, base / 2 + Math.random() * (base / 2)));
  }
}
