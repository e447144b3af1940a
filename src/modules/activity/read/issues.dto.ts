import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IssueEvent } from '../domain-events';
import { CommentView } from './comments.dto';
import {
  identityProperty,
  IdentityRefView,
  NEXT_CURSOR_PROPERTY,
  PageQuery,
  UuidFilter,
} from './read.dto';

type IssueState = IssueEvent['issue']['state'];

export const ISSUE_STATES = Object.keys({
  open: true,
  closed: true,
} satisfies Record<IssueState, true>) as IssueState[];

export class ListIssuesQuery extends PageQuery {
  @UuidFilter('Only this repository')
  repositoryId?: string;

  @ApiPropertyOptional({ enum: ISSUE_STATES })
  @IsOptional()
  @IsIn(ISSUE_STATES)
  state?: IssueState;

  @UuidFilter('Only issues opened by any identity of this person')
  authorPersonId?: string;
}

export class IssueView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty({ example: 'acme/api' }) repositoryFullName!: string;
  @ApiProperty() number!: number;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ISSUE_STATES }) state!: string;
  @ApiPropertyOptional(identityProperty('Who opened it')) author!: IdentityRefView | null;
  @ApiProperty({ type: [String] }) labels!: string[];
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: "The forge's last change; the list is ordered by it" })
  updatedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) closedAt!: string | null;
}

export class IssuePageView {
  @ApiProperty({ type: [IssueView] }) items!: IssueView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}

export class IssueDetailView extends IssueView {
  @ApiPropertyOptional({ nullable: true, type: String }) body!: string | null;
  @ApiProperty({ type: [CommentView], description: 'Oldest first; deleted ones are left out' })
  comments!: CommentView[];
}
