import { Module } from '@nestjs/common';
import { IdentityResolver } from '../users/identity-resolver';
import { ActivityRecorder } from './activity-recorder';

@Module({
  providers: [ActivityRecorder, IdentityResolver],
  exports: [ActivityRecorder, IdentityResolver],
})
export class ActivityModule {}
