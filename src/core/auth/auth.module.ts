import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { AuditLogRepository } from '../audit/audit-log.repository';
import { AuditController } from '../audit/audit.controller';
import { AuditHook } from '../audit/audit.hook';
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
    AuditHook,
  ],
  exports: [ApiKeyVerifier, ApiKeysService, AuditService, AuditHook],
})
export class AuthModule {}
