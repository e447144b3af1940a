import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticatedRequest } from '../../core/auth/principal';
import { RequiredScope } from '../../core/auth/required-scope.decorator';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { McpServerFactory } from './mcp-server.factory';

/**
 * The Model Context Protocol endpoint (Streamable HTTP, stateless: every POST carries one
 * JSON-RPC message and gets its answer as JSON). A `read` key may call it; the tools that
 * change state check for `admin` themselves.
 */
@ApiTags('mcp')
@ApiBearerAuth()
@Controller('mcp')
export class McpController {
  constructor(private readonly servers: McpServerFactory) {}

  @Post()
  @HttpCode(200)
  @RequiredScope('read')
  @ApiOperation({
    summary: 'MCP over Streamable HTTP: resources and tools for assistants (JSON-RPC body)',
  })
  async handle(
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const principal = request.principal;
    if (!principal) throw new AppError(ErrorCode.Unauthorized, 'Missing API key');
    const server = this.servers.create(principal);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    // From here the SDK writes the answer on the raw response.
    reply.hijack();
    reply.raw.on('close', () => {
      void server.close();
    });
    await transport.handleRequest(request.raw, reply.raw, request.body);
  }
}
