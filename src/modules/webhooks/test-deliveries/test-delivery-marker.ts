import { Injectable } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../providers/signatures';

/** The header that marks a test delivery; honoured only once the forge signature verified. */
export const TEST_DELIVERY_HEADER = 'x-hookyard-test-delivery';

/**
 * Marks the test deliveries this process sends itself. The mark is an HMAC of the body under a
 * key made at start and never written anywhere: only this process can mint one, and only for
 * the body it signed, so neither a forge, nor anyone holding a source's secret, nor someone
 * replaying a captured request onto another body, can mark a real delivery as a test. The
 * test delivery is sent to this same process (Fastify inject), which is why no other replica
 * needs the key.
 */
@Injectable()
export class TestDeliveryMarker {
  private readonly key = randomBytes(32);

  mint(body: Buffer): string {
    return createHmac('sha256', this.key).update(body).digest('hex');
  }

  /** True when the headers carry a mark this process minted for exactly this body. */
  isMarked(headers: Readonly<Record<string, string | undefined>>, body: Buffer): boolean {
    const presented = headers[TEST_DELIVERY_HEADER];
    return presented !== undefined && constantTimeEqual(presented, this.mint(body));
  }
}
