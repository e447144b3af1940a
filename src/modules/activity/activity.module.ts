import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { ActivityRecorder } from './activity-recorder';

/** Writing the engineering record: the recorder the delivery processor hands domain events to. */
@Module({
  imports: [UsersModule],
  providers: [ActivityRecorder],
  exports: [ActivityRecorder, UsersModule],
})
export class ActivityModule {}
