import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../core/auth/public.decorator';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { IngestService, WebhookAnswer } from './ingest.service';
import { ALL_PROVIDERS } from './providers/provider-adapter';
import { WEBHOOK_ROUTE, WebhookRequest } from './webhook-request';
import { WebhookSignatureGuard } from './webhook-signature.guard';

/**
 * The one path of every webhook. Before the body is read, the WebhookScreen (an onRequest hook
 * of these routes, see WEBHOOK_ROUTE) refuses what no body can fix; the WebhookSignatureGuard
 * verifies the signature on the raw body; then the IngestService parses, identifies and
 * stores the delivery. Public: the signature is the authentication, not an API key.
 */
@Public()
@UseGuards(WebhookSignatureGuard)
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly ingest: IngestService) {}

  @Post(':provider')
  @RouteConfig(WEBHOOK_ROUTE)
  @HttpCode(202)
  @ApiOperation({
    summary: 'Receive a webhook for the default source of a provider (secret from env)',
  })
  @ApiParam({ name: 'provider', enum: ALL_PROVIDERS })
  @ApiHeader({
    name: 'X-GitHub-Event / X-Gitlab-Event / X-Gitea-Event / X-Event-Key',
    required: true,
  })
  @ApiResponse({ status: 202, description: '{ id, status: "accepted" } — stored and committed' })
  @ApiResponse({ status: 200, description: '{ id, status: "duplicate" } — already stored' })
  @ApiResponse({ status: 400, description: 'Malformed body, missing event header or delivery id' })
  @ApiResponse({ status: 401, description: 'Missing or bad signature, or no secret configured' })
  @ApiResponse({ status: 404, description: 'Unknown provider or source' })
  @ApiResponse({ status: 413, description: 'Body over the limit (25 MiB by default)' })
  @ApiResponse({
    status: 415,
    description: 'Not application/json or application/x-www-form-urlencoded',
  })
  @ApiResponse({ status: 503, description: 'Could not be stored; the forge should retry' })
  receiveDefault(@Req() request: WebhookRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.receive(request, reply);
  }

  @Post(':provider/:source')
  @RouteConfig(WEBHOOK_ROUTE)
  @HttpCode(202)
  @ApiOperation({ summary: 'Receive a webhook for a named source (created through the admin API)' })
  @ApiParam({ name: 'provider', enum: ALL_PROVIDERS })
  @ApiParam({ name: 'source', description: 'The slug of a named source' })
  receiveNamed(@Req() request: WebhookRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.receive(request, reply);
  }

  private async receive(
    request: WebhookRequest,
    reply: FastifyReply,
  ): Promise<WebhookAnswer['body']> {
    const { webhook: screened, rawBody } = request;
    const contentType = request.headers['content-type'];
    // The guard let the request through, so all three are set.
    if (screened === undefined || rawBody === undefined || contentType === undefined) {
      throw new AppError(ErrorCode.Internal, 'A webhook reached the controller unverified');
    }
    const answer = await this.ingest.receive({ screened, contentType, rawBody });
    void reply.status(answer.statusCode);
    return answer.body;
  }
}
