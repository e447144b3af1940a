import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PullRequestState } from '../domain-events';
import { CommentView } from './comments.dto';
import {
  identityProperty,
  IdentityRefView,
  NEXT_CURSOR_PROPERTY,
  PageQuery,
  TimeFilter,
  UuidFilter,
} from './read.dto';

export const PULL_REQUEST_STATES = Object.keys({
  open: true,
  closed: true,
  merged: true,
} satisfies Record<PullRequestState, true>) as PullRequestState[];

export class ListPullRequestsQuery extends PageQuery {
  @UuidFilter('Only this repository')
  repositoryId?: string;

  @ApiPropertyOptional({ enum: PULL_REQUEST_STATES })
  @IsOptional()
  @IsIn(PULL_REQUEST_STATES)
  state?: PullRequestState;

  @UuidFilter('Only pull requests opened by any identity of this person')
  authorPersonId?: string;

  @TimeFilter('Merged at or after')
  mergedFrom?: string;

  @TimeFilter('Merged before')
  mergedTo?: string;
}

export class PullRequestView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty({ example: 'acme/api' }) repositoryFullName!: string;
  @ApiProperty() number!: number;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: PULL_REQUEST_STATES }) state!: string;
  @ApiProperty() draft!: boolean;
  @ApiPropertyOptional(identityProperty('Who opened it')) author!: IdentityRefView | null;
  @ApiProperty() headRef!: string;
  @ApiProperty() baseRef!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) headSha!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiProperty({ type: [String] }) labels!: string[];
  @ApiPropertyOptional({ nullable: true, type: Number }) additions!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) deletions!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) changedFiles!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) commitsCount!: number | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: "The forge's last change; the list is ordered by it" })
  updatedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) closedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) mergedAt!: string | null;
  @ApiPropertyOptional(identityProperty('Who merged it')) mergedBy!: IdentityRefView | null;
}

export class PullRequestPageView {
  @ApiProperty({ type: [PullRequestView] }) items!: PullRequestView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}

export class ReviewView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() externalId!: string;
  @ApiProperty({ example: 'approved' }) state!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) body!: string | null;
  @ApiPropertyOptional(identityProperty('The reviewer')) author!: IdentityRefView | null;
  @ApiProperty() submittedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) commitSha!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
}

export class PullRequestEventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'opened' }) action!: string;
  @ApiPropertyOptional(identityProperty('Who did it')) actor!: IdentityRefView | null;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ format: 'uuid', description: 'The delivery that reported it' })
  deliveryId!: string;
}

export class PullRequestDetailView extends PullRequestView {
  @ApiPropertyOptional({ nullable: true, type: String }) body!: string | null;
  @ApiProperty({ type: [ReviewView], description: 'Oldest first' }) reviews!: ReviewView[];
  @ApiProperty({ type: [PullRequestEventView], description: 'Events in the order they happened' })
  timeline!: PullRequestEventView[];
  @ApiProperty({ type: [CommentView], description: 'Oldest first; deleted ones are left out' })
  comments!: CommentView[];
}
