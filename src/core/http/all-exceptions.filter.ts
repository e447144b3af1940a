import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { mapError } from './error-mapping';

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { envelope, unexpected } = mapError(exception);
    if (unexpected !== undefined) {
      const stack = unexpected instanceof Error ? unexpected.stack : JSON.stringify(unexpected);
      this.logger.error(`${envelope.code} ${envelope.errorId ?? ''}: ${stack}`);
    }
    void reply.status(envelope.statusCode).send(envelope);
  }
}
