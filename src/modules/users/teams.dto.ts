import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { NEXT_CURSOR_PROPERTY } from '../activity/read/read.dto';

// Names are shown in lists and charts: no control characters (NUL included).
// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f]+$/;

export class CreateTeamDto {
  @ApiProperty({ maxLength: 200, example: 'Platform' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Person ids' })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  members!: string[];
}

export class UpdateTeamDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL, { message: 'name must not contain control characters' })
  name?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Replaces the members' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  members?: string[];
}

export class TeamMemberView {
  @ApiProperty({ format: 'uuid' }) personId!: string;
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
}

export class TeamView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [TeamMemberView] }) members!: TeamMemberView[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TeamPageView {
  @ApiProperty({ type: [TeamView] }) items!: TeamView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}
