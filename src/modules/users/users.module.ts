import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityResolver } from './identity-resolver';
import { IdentityEntity } from './identity.entity';
import { PersonEntity } from './person.entity';
import { PeopleAdminController } from './people-admin.controller';
import { PeopleAdminService } from './people-admin.service';
import { PeopleController } from './people.controller';
import { PeopleLinksRepository } from './people-links.repository';
import { PeopleRepository } from './people.repository';
import { TeamEntity, TeamMemberEntity } from './team.entity';
import { TeamsController } from './teams.controller';
import { TeamsRepository } from './teams.repository';

/**
 * People and their forge identities: the resolver the recorder writes through (one instance,
 * so the cache that administration clears is the one processing reads), the read API and the
 * administration of people.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PersonEntity, IdentityEntity, TeamEntity, TeamMemberEntity])],
  controllers: [PeopleController, PeopleAdminController, TeamsController],
  providers: [
    IdentityResolver,
    PeopleRepository,
    PeopleLinksRepository,
    PeopleAdminService,
    TeamsRepository,
  ],
  exports: [IdentityResolver, PeopleRepository, TeamsRepository, TypeOrmModule],
})
export class UsersModule {}
