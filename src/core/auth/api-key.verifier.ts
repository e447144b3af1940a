import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/config';
import { Principal } from './principal';

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

@Injectable()
export class ApiKeyVerifier {
  private readonly adminTokenHash?: Buffer;

  constructor(config: AppConfig) {
    this.adminTokenHash = config.adminToken ? sha256(config.adminToken) : undefined;
  }

  /** Returns who the key belongs to, or undefined when it matches nothing. */
  verify(key: string): Promise<Principal | undefined> {
    if (this.adminTokenHash && timingSafeEqual(sha256(key), this.adminTokenHash)) {
      return Promise.resolve({
        keyId: 'admin-token',
        name: 'ADMIN_TOKEN',
        scopes: ['read', 'admin'],
      });
    }
    return Promise.resolve(undefined);
  }
}
