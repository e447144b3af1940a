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

/**
 * People and their forge identities: the resolver the recorder writes through (one instance,
 * so the cache that administration clears is the one processing reads), the read API and the
 * administration of people.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PersonEntity, IdentityEntity])],
  controllers: [PeopleController, PeopleAdminController],
  providers: [IdentityResolver, PeopleRepository, PeopleLinksRepository, PeopleAdminService],
  exports: [IdentityResolver, PeopleRepository, TypeOrmModule],
})
export class UsersModule {}
