import { PageQuery } from '../../core/http/page-query.dto';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsTimestamp } from '../../core/http/timestamp';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import { ALL_PROVIDERS, Provider } from '../webhooks/providers/provider-adapter';
import { ALL_DELIVERY_STATUSES, DeliveryStatus } from './delivery-status';

export class DeliveryFilterDto {
  @ApiPropertyOptional({ enum: ALL_PROVIDERS })
  @IsOptional()
  @IsIn(ALL_PROVIDERS)
  provider?: Provider;

  @ApiPropertyOptional({ description: 'Source slug (`default` for the env-configured one)' })
  @IsOptional()
  @IsString()
  @Length(1, 63)
  source?: string;

  @ApiPropertyOptional({ example: 'push' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  event?: string;

  @ApiPropertyOptional({ enum: ALL_DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(ALL_DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ example: 'acme/api' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  repository?: string;

  @ApiPropertyOptional({
    description: 'Received at or after (RFC 3339 date or date-time with offset)',
  })
  @IsOptional()
  @IsTimestamp()
  receivedFrom?: string;

  @ApiPropertyOptional({ description: 'Received before (RFC 3339 date or date-time with offset)' })
  @IsOptional()
  @IsTimestamp()
  receivedTo?: string;
}

export class ListDeliveriesQuery extends IntersectionType(DeliveryFilterDto, PageQuery) {}

export class BulkReplayDto {
  @ApiProperty({
    type: DeliveryFilterDto,
    description: 'Which deliveries to replay; at least one field',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DeliveryFilterDto)
  filter!: DeliveryFilterDto;
}

export class DeliverySummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() source!: string;
  @ApiProperty() providerDeliveryId!: string;
  @ApiProperty() event!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) action!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) repository!: string | null;
  @ApiProperty({ enum: ALL_DELIVERY_STATUSES }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() bodySize!: number;
  @ApiProperty() receivedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) queuedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) processedAt!: string | null;
  @ApiProperty({ description: 'A test delivery (POST /api/v1/admin/sources/…/test)' })
  test!: boolean;
}

export class DeliveryPageView {
  @ApiProperty({ type: [DeliverySummaryView] }) items!: DeliverySummaryView[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page',
  })
  nextCursor!: string | null;
}

export class DeliveryDetailView extends DeliverySummaryView {
  @ApiProperty({ description: 'Headers as received, without signatures or tokens' })
  headers!: Record<string, string>;
  @ApiProperty() contentType!: string;
  @ApiPropertyOptional({
    description: 'The body as text; null once retention has removed it',
    nullable: true,
    type: String,
  })
  body!: string | null;
}

export class ReplayAcceptedView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'queued' }) status!: string;
}

export class BulkReplayAcceptedView {
  @ApiProperty({ description: 'Maintenance job id; follow it in the jobs API' }) jobId!: string;
  @ApiProperty({ example: 'queued' }) status!: string;
}
