import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  identityProperty,
  IdentityRefView,
  NEXT_CURSOR_PROPERTY,
  PageQuery,
  UuidFilter,
} from './read.dto';

export class ListReleasesQuery extends PageQuery {
  @UuidFilter('Only this repository')
  repositoryId?: string;
}

export class ReleaseView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty({ example: 'acme/api' }) repositoryFullName!: string;
  @ApiProperty() externalId!: string;
  @ApiProperty({ example: 'v1.2.0' }) tagName!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) name!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Release notes' })
  body!: string | null;
  @ApiProperty() draft!: boolean;
  @ApiProperty() prerelease!: boolean;
  @ApiPropertyOptional(identityProperty('Who published it')) author!: IdentityRefView | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) publishedAt!: string | null;
  @ApiProperty() updatedAt!: string;
}

export class ReleasePageView {
  @ApiProperty({
    type: [ReleaseView],
    description: 'Newest first by publication (creation while unpublished)',
  })
  items!: ReleaseView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}
