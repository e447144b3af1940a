import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { PersonDetailView } from './people.dto';
import { LinkIdentityDto, MergePeopleDto } from './people-admin.dto';
import { PeopleAdminService } from './people-admin.service';
import { ParseUuidPipe } from '../../core/http/uuid';

@ApiTags('admin: people')
@ApiBearerAuth()
@Controller('api/v1/admin')
export class PeopleAdminController {
  constructor(private readonly people: PeopleAdminService) {}

  @Post('people/merge')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Merge two people: every identity of the source moves to the target',
    description: 'The source person is deleted. Read people at GET /api/v1/people/{id}.',
  })
  @ApiOkResponse({ type: PersonDetailView, description: 'The target person after the merge' })
  @ApiBadRequestResponse({ description: 'Invalid ids, or source and target are the same' })
  @ApiNotFoundResponse({ description: 'The source or the target person does not exist' })
  merge(@Body() dto: MergePeopleDto): Promise<PersonDetailView> {
    return this.people.merge(dto.sourcePersonId, dto.targetPersonId);
  }

  @Post('people/:personId/identities')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Link an identity to a person, moving it from the person it belonged to',
    description: 'A person left without identities by the move is deleted.',
  })
  @ApiParam({ name: 'personId', format: 'uuid' })
  @ApiOkResponse({ type: PersonDetailView, description: 'The person with their identities' })
  @ApiBadRequestResponse({ description: 'Invalid person or identity id' })
  @ApiNotFoundResponse({ description: 'The person or the identity does not exist' })
  link(
    @Param('personId', ParseUuidPipe) personId: string,
    @Body() dto: LinkIdentityDto,
  ): Promise<PersonDetailView> {
    return this.people.linkIdentity(personId, dto.identityId);
  }

  @Post('identities/:identityId/unlink')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Unlink an identity: it gets a person of its own, named after it',
    description: 'An identity that is already the only one of its person keeps that person.',
  })
  @ApiParam({ name: 'identityId', format: 'uuid' })
  @ApiOkResponse({ type: PersonDetailView, description: 'The person the identity now belongs to' })
  @ApiBadRequestResponse({ description: 'Invalid identity id' })
  @ApiNotFoundResponse({ description: 'The identity does not exist' })
  unlink(@Param('identityId', ParseUuidPipe) identityId: string): Promise<PersonDetailView> {
    return this.people.unlink(identityId);
  }
}
