import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../../config/config';
import { ANONYMOUS, KEYED, skipUnless } from './api-throttler.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

@Module({ providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
class ThrottlerStorageModule {}

/** Inbound rate limits (RateLimitConfig), counted in Redis and shared by the replicas. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ThrottlerStorageModule],
      inject: [AppConfig, RedisThrottlerStorage],
      useFactory: (config: AppConfig, storage: RedisThrottlerStorage) => {
        const { windowMs, perKey, anonymous } = config.rateLimit;
        return {
          storage,
          throttlers: [
            { name: KEYED, ttl: windowMs, limit: perKey, skipIf: skipUnless(KEYED, perKey) },
            {
              name: ANONYMOUS,
              ttl: windowMs,
              limit: anonymous,
              skipIf: skipUnless(ANONYMOUS, anonymous),
            },
          ],
        };
      },
    }),
  ],
})
export class RateLimitModule {}
