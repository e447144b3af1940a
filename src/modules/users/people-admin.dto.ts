import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { LowerCaseUuid } from '../../core/http/uuid';

export class LinkIdentityDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The identity to move to this person, from whichever person it belongs to now',
  })
  @LowerCaseUuid()
  @IsUUID()
  identityId!: string;
}

export class MergePeopleDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The person whose identities move to the target; deleted afterwards',
  })
  @LowerCaseUuid()
  @IsUUID()
  sourcePersonId!: string;

  @ApiProperty({ format: 'uuid', description: 'The person who keeps every identity' })
  @LowerCaseUuid()
  @IsUUID()
  targetPersonId!: string;
}
