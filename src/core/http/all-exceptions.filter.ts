import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { logUnexpected, mapError } from './error-mapping';

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const mapped = mapError(exception);
    logUnexpected(this.logger, mapped);
    const { envelope } = mapped;
    void reply.status(envelope.statusCode).send(envelope);
  }
}
