import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NEXT_CURSOR_PROPERTY, PageQuery, TextFilter } from '../activity/read/read.dto';

export class ListPeopleQuery extends PageQuery {
  @TextFilter(
    'Part of the display name, primary email, or a login or email of their identities ' +
      '(case-insensitive)',
  )
  q?: string;
}

export class PersonView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) displayName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) primaryEmail!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class PersonPageView {
  @ApiProperty({
    type: [PersonView],
    description: 'By display name; people without one come last',
  })
  items!: PersonView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}

/** One forge account of a person. */
export class IdentityView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'github' }) provider!: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The forge account id; null for commit authors known only by email',
  })
  externalId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) login!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) name!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) email!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) avatarUrl!: string | null;
  @ApiProperty() bot!: boolean;
}

export class PersonDetailView extends PersonView {
  @ApiProperty({ type: [IdentityView] }) identities!: IdentityView[];
}
