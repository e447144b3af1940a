import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { identityProperty, IdentityRefView } from './read.dto';

/** A comment on a pull request or issue (review comments carry a path and line). */
export class CommentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() externalId!: string;
  @ApiProperty() body!: string;
  @ApiPropertyOptional(identityProperty('Who wrote it'))
  author!: IdentityRefView | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'File of a diff comment' })
  path!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) line!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}
