import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/config';
import { ApiKeysService } from './api-keys.service';
import { Principal } from './principal';

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Resolves a bearer key: the bootstrap ADMIN_TOKEN first, then the stored API keys. */
@Injectable()
export class ApiKeyVerifier {
  private readonly adminTokenHash?: Buffer;

  constructor(
    config: AppConfig,
    private readonly apiKeys: ApiKeysService,
  ) {
    this.adminTokenHash = config.adminToken ? sha256(config.adminToken) : undefined;
  }

  /** Returns who the key belongs to, or undefined when it matches nothing. */
  async verify(key: string): Promise<Principal | undefined> {
    if (this.adminTokenHash && timingSafeEqual(sha256(key), this.adminTokenHash)) {
      return {
        keyId: 'admin-token',
        name: 'ADMIN_TOKEN',
        scopes: ['read', 'admin'],
      };
    }
    return this.apiKeys.verify(key);
  }
}
