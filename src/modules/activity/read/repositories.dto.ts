import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ALL_PROVIDERS, Provider } from '../../webhooks/providers/provider-adapter';
import { NEXT_CURSOR_PROPERTY, PageQuery, TextFilter } from './read.dto';

export class ListRepositoriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ALL_PROVIDERS })
  @IsOptional()
  @IsIn(ALL_PROVIDERS)
  provider?: Provider;

  @TextFilter('Part of the full name (`owner/name`), case-insensitive', 500)
  q?: string;
}

export class RepositoryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ALL_PROVIDERS }) provider!: string;
  @ApiProperty({ description: "The forge's own id" }) externalId!: string;
  @ApiProperty({ example: 'acme/api' }) fullName!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) defaultBranch!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) private!: boolean | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) lastEventAt!: string | null;
}

export class RepositoryPageView {
  @ApiProperty({ type: [RepositoryView] }) items!: RepositoryView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}

export class RepositoryCountsView {
  @ApiProperty() commits!: number;
  @ApiProperty() pullRequestsOpen!: number;
  @ApiProperty() pullRequestsMerged!: number;
  @ApiProperty() issuesOpen!: number;
  @ApiProperty() ciRuns!: number;
  @ApiProperty() deployments!: number;
  @ApiProperty({ description: 'Releases not deleted on the forge' }) releases!: number;
}

export class RepositoryDetailView extends RepositoryView {
  @ApiProperty({ type: RepositoryCountsView }) counts!: RepositoryCountsView;
}
