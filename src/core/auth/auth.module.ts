import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { AuditLogRepository } from '../audit/audit-log.repository';
import { AuditController } from '../audit/audit.controller';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { AuditService } from '../audit/audit.service';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyVerifier } from './api-key.verifier';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';

/** API keys, their verification for the global guard, and the audit log of state changes. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity, AuditEntryEntity])],
  controllers: [ApiKeysController, AuditController],
  providers: [
    ApiKeyVerifier,
    ApiKeysService,
    ApiKeysRepository,
    AuditService,
    AuditLogRepository,
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [ApiKeyVerifier, ApiKeysService, AuditService],
})
export class AuthModule {}
