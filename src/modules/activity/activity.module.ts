import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { ActivityRecorder, RECORD_WRITERS } from './activity-recorder';
import { ACTIVITY_ENTITIES } from './entities';

/** Writing the engineering record: the recorder the delivery processor hands domain events to. */
@Module({
  imports: [UsersModule, TypeOrmModule.forFeature(ACTIVITY_ENTITIES)],
  providers: [ActivityRecorder, ...RECORD_WRITERS],
  exports: [ActivityRecorder, UsersModule, TypeOrmModule],
})
export class ActivityModule {}
