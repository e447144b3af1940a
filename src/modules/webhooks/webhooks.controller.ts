import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../core/auth/public.decorator';
import { RawBodyRequest } from '../../core/http/body-parsers';
import { IngestService } from './ingest.service';
import { ALL_PROVIDERS } from './providers/provider-adapter';

type IncomingRequest = FastifyRequest & RawBodyRequest;

/**
 * The webhook routes as Nest sees them: they are documented here, and served here for any
 * request the WebhookIngress (which answers them first, in the HTTP server) leaves to Fastify.
 */
@Public()
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly ingest: IngestService) {}

  @Post(':provider')
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
  receiveDefault(
    @Param('provider') provider: string,
    @Req() request: IncomingRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.receive(provider, undefined, request, reply);
  }

  @Post(':provider/:source')
  @HttpCode(202)
  @ApiOperation({ summary: 'Receive a webhook for a named source (created through the admin API)' })
  @ApiParam({ name: 'provider', enum: ALL_PROVIDERS })
  receiveNamed(
    @Param('provider') provider: string,
    @Param('source') source: string,
    @Req() request: IncomingRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.receive(provider, source, request, reply);
  }

  private async receive(
    provider: string,
    source: string | undefined,
    request: IncomingRequest,
    reply: FastifyReply,
  ) {
    const answer = await this.ingest.receive({
      provider,
      source,
      headers: request.headers,
      contentType: request.headers['content-type'],
      rawBody: request.rawBody,
      body: request.body,
    });
    void reply.status(answer.statusCode);
    return answer.body;
  }
}
