import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/config';
import { usePreparedStatements } from './pg-pool';
import { SchedulerLock } from './scheduler-lock';
import { UnitsOfWork } from './unit-of-work';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        usePreparedStatements(config.databasePreparedStatements);
        return {
          type: 'postgres' as const,
          url: config.databaseUrl,
          autoLoadEntities: true,
          // The schema belongs to the hand-written migrations, never to the ORM.
          synchronize: false,
          migrationsRun: false,
          retryAttempts: 3,
          retryDelay: 1000,
          extra: {
            max: config.databasePoolSize,
            connectionTimeoutMillis: 5000,
            query_timeout: 15000,
            application_name: `hookyard-${config.role}`,
          },
        };
      },
    }),
  ],
  providers: [UnitsOfWork, SchedulerLock],
  exports: [UnitsOfWork, SchedulerLock],
})
export class DatabaseModule {}
