import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { DeliveryStatus } from '../../deliveries/delivery-status';
import { isProvider, Provider, ALL_PROVIDERS } from '../providers/provider-adapter';
import { DEFAULT_SOURCE, SourcesService } from '../sources/sources.service';
import { FORGE_SAMPLES } from './samples';
import { newSamplePush, SAMPLE_BRANCH, SAMPLE_REPOSITORY } from './samples/sample-push';
import { TEST_DELIVERY_HEADER, TestDeliveryMarker } from './test-delivery-marker';
import { DEFAULT_WAIT_SECONDS, TestDeliveryView } from './test-delivery.dto';
import { TestDeliveryRepository } from './test-delivery.repository';

const POLL_MS = 100;

interface WebhookReply {
  id: string;
  status: 'accepted' | 'duplicate';
}

interface WebhookError {
  code?: string;
  message?: string;
  details?: { retryAfterSeconds?: number };
}

/**
 * Test deliveries: a sample push of the source's forge, signed with the source's own secret as
 * that forge signs, sent through the webhook path of this process (Fastify inject: the screen,
 * the signature guard, the rate ceiling, ingest, the outbox and the worker, as for a forge),
 * then watched until it is processed or the wait is over.
 */
@Injectable()
export class TestDeliveryService {
  constructor(
    private readonly sources: SourcesService,
    private readonly marker: TestDeliveryMarker,
    private readonly deliveries: TestDeliveryRepository,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async toNamedSource(id: string, waitSeconds?: number): Promise<TestDeliveryView> {
    const view = await this.sources.get(id);
    if (!isProvider(view.provider)) {
      throw new AppError(ErrorCode.UnknownProvider, `Source ${id} is of an unknown provider`);
    }
    return this.send(view.provider, view.slug, waitSeconds);
  }

  async toDefaultSource(provider: string, waitSeconds?: number): Promise<TestDeliveryView> {
    if (!isProvider(provider)) {
      throw new AppError(
        ErrorCode.UnknownProvider,
        `Unknown provider "${provider}"; use one of ${ALL_PROVIDERS.join(', ')}`,
      );
    }
    return this.send(provider, DEFAULT_SOURCE, waitSeconds);
  }

  private async send(
    provider: Provider,
    slug: string,
    waitSeconds = DEFAULT_WAIT_SECONDS,
  ): Promise<TestDeliveryView> {
    const source = await this.sources.resolve(provider, slug);
    if (!source) throw new AppError(ErrorCode.NotFound, `Unknown ${provider} source "${slug}"`);
    if (!source.enabled) {
      throw new AppError(
        ErrorCode.Conflict,
        `Source "${slug}" is disabled and refuses every delivery: enable it to test it`,
        { reason: 'source_disabled' },
      );
    }
    const sample = FORGE_SAMPLES[provider];
    const push = newSamplePush();
    const request = sample.build(push);
    const signed = sample.sign(request, push, source.secrets);
    if ('problem' in signed) {
      throw new AppError(
        ErrorCode.Conflict,
        `The ${provider} source "${slug}": ${signed.problem}`,
        {
          reason: 'no_secret_configured',
        },
      );
    }
    const webhookPath =
      slug === DEFAULT_SOURCE ? `/webhooks/${provider}` : `/webhooks/${provider}/${slug}`;
    const response = await this.adapterHost.httpAdapter.getInstance<FastifyInstance>().inject({
      method: 'POST',
      url: webhookPath,
      headers: {
        ...request.headers,
        ...signed.headers,
        [TEST_DELIVERY_HEADER]: this.marker.mint(request.body),
      },
      payload: request.body,
    });
    if (response.statusCode !== 202 && response.statusCode !== 200) {
      throw refusal(response.statusCode, response.json<WebhookError>());
    }
    const answer = response.json<WebhookReply>();
    const state = await this.settled(answer.id, waitSeconds * 1000);
    const records =
      state.status === DeliveryStatus.Processed
        ? ((await this.deliveries.records(
            provider,
            SAMPLE_REPOSITORY.externalId,
            `refs/heads/${SAMPLE_BRANCH}`,
            push.after,
          )) ?? null)
        : null;
    return {
      deliveryId: answer.id,
      provider,
      source: slug,
      webhookPath,
      event: request.event,
      webhook: { statusCode: response.statusCode, status: answer.status },
      status: state.status,
      final: state.final,
      attempts: state.attempts,
      lastError: state.lastError,
      records,
    };
  }

  /** The delivery's state once final, or as it is when `waitMs` has passed. */
  private async settled(deliveryId: string, waitMs: number) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const state = await this.deliveries.state(deliveryId);
      if (!state) {
        throw new AppError(ErrorCode.Internal, `Test delivery ${deliveryId} was not stored`);
      }
      if (state.final || Date.now() >= deadline) return state;
      await sleep(POLL_MS);
    }
  }
}

/** The webhook path refused the sample: the same answer, said of the test. */
function refusal(statusCode: number, body: WebhookError): AppError {
  const said = body.message ?? `status ${statusCode}`;
  switch (statusCode) {
    case 429:
      return new AppError(
        ErrorCode.TooManyRequests,
        `The source's webhook rate ceiling refused the test delivery: ${said}`,
        { retryAfterSeconds: body.details?.retryAfterSeconds },
      );
    case 503:
      return new AppError(
        ErrorCode.ServiceUnavailable,
        `The test delivery was not stored: ${said}`,
      );
    default:
      // Hookyard signed this sample itself: a refusal is a fault of ours, not of the caller.
      return new AppError(
        ErrorCode.Internal,
        `The webhook path refused the test delivery (${statusCode} ${body.code ?? ''}): ${said}`,
      );
  }
}
