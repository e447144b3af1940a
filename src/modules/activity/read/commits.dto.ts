import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  identityProperty,
  IdentityRefView,
  NEXT_CURSOR_PROPERTY,
  PageQuery,
  ShaPrefixFilter,
  TimeFilter,
  UuidFilter,
} from './read.dto';

export class ListCommitsQuery extends PageQuery {
  @UuidFilter('Only this repository')
  repositoryId?: string;

  @UuidFilter('Only commits authored by any identity of this person')
  authorPersonId?: string;

  @ShaPrefixFilter('Commits whose SHA starts with this')
  sha?: string;

  @TimeFilter('Committed at or after')
  committedFrom?: string;

  @TimeFilter('Committed before')
  committedTo?: string;
}

export class CommitView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty({ example: 'acme/api' }) repositoryFullName!: string;
  @ApiProperty() sha!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional(identityProperty('The author')) author!: IdentityRefView | null;
  @ApiPropertyOptional(identityProperty('The committer')) committer!: IdentityRefView | null;
  @ApiProperty() committedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiProperty({ type: [String] }) filesAdded!: string[];
  @ApiProperty({ type: [String] }) filesModified!: string[];
  @ApiProperty({ type: [String] }) filesRemoved!: string[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The ref of the first push that brought it',
  })
  firstRef!: string | null;
  @ApiProperty() firstSeenAt!: string;
}

export class CommitPageView {
  @ApiProperty({ type: [CommitView] }) items!: CommitView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}
