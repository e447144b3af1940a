import { Module } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module';
import { PeopleRepository } from '../activity/read/people.repository';
import { PeopleAdminController } from './people-admin.controller';
import { PeopleAdminService } from './people-admin.service';

/**
 * People administration. IdentityResolver comes from ActivityModule, so the instance whose
 * cache this module clears is the one the delivery processor resolves through.
 */
@Module({
  imports: [ActivityModule],
  controllers: [PeopleAdminController],
  providers: [PeopleAdminService, PeopleRepository],
})
export class UsersModule {}
