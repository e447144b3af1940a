import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../activity/activity.module';
import { PeopleRepository } from '../activity/read/people.repository';
import { PeopleAdminController } from './people-admin.controller';
import { PeopleAdminService } from './people-admin.service';
import { TeamEntity, TeamMemberEntity } from './team.entity';
import { TeamsController } from './teams.controller';
import { TeamsRepository } from './teams.repository';

/**
 * People administration. IdentityResolver comes from ActivityModule, so the instance whose
 * cache this module clears is the one the delivery processor resolves through.
 */
@Module({
  imports: [ActivityModule, TypeOrmModule.forFeature([TeamEntity, TeamMemberEntity])],
  controllers: [PeopleAdminController, TeamsController],
  providers: [PeopleAdminService, PeopleRepository, TeamsRepository],
})
export class UsersModule {}
