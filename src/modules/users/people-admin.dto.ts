import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class LinkIdentityDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The identity to move to this person, from whichever person it belongs to now',
  })
  @IsUUID()
  identityId!: string;
}

export class MergePeopleDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The person whose identities move to the target; deleted afterwards',
  })
  @IsUUID()
  sourcePersonId!: string;

  @ApiProperty({ format: 'uuid', description: 'The person who keeps every identity' })
  @IsUUID()
  targetPersonId!: string;
}
