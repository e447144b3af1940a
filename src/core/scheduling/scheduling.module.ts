import { DynamicModule, Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig } from '../../config/config';
import { ScheduledIntervals } from './scheduled-intervals';

/**
 * Scheduled work (@nestjs/schedule). The scheduler itself is loaded only where ROLE runs it;
 * elsewhere ScheduledIntervals schedules nothing, so tasks can be provided everywhere.
 */
@Global()
@Module({})
export class SchedulingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SchedulingModule,
      imports: config.runsScheduler ? [ScheduleModule.forRoot()] : [],
      providers: [ScheduledIntervals],
      exports: [ScheduledIntervals],
    };
  }
}
