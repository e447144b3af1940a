import { PageQuery } from '../../../core/http/page-query.dto';
import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsOptional,
  IsUUID,
  ValidateNested,
} from 'class-validator';
import { DeliveryFilterDto } from '../delivery.dto';
import { LowerCaseUuid } from '../../../core/http/uuid';

/** Which dead deliveries: every field narrows the set (the status is always `dead`). */
export class DeadLetterFilterDto extends OmitType(DeliveryFilterDto, ['status'] as const) {}

export class ListDeadLettersQuery extends IntersectionType(DeadLetterFilterDto, PageQuery) {}

export const MAX_REDRIVE_IDS = 1000;

export class RedriveDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: `Dead deliveries to process again (at most ${MAX_REDRIVE_IDS}); ids that are not dead are skipped`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REDRIVE_IDS)
  @LowerCaseUuid()
  @IsUUID('all', { each: true })
  ids?: string[];

  @ApiPropertyOptional({
    type: DeadLetterFilterDto,
    description: 'Every dead delivery matching this filter (an empty filter means all of them)',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DeadLetterFilterDto)
  filter?: DeadLetterFilterDto;
}

export class DeadLetterView {
  @ApiProperty() id!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() source!: string;
  @ApiProperty() providerDeliveryId!: string;
  @ApiProperty() event!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) action!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) repository!: string | null;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Why the delivery was given up',
  })
  lastError!: string | null;
  @ApiProperty() receivedAt!: string;
  @ApiProperty({ description: 'When it became dead (last update)' }) updatedAt!: string;
}

export class DeadLetterPageView {
  @ApiProperty({ type: [DeadLetterView] }) items!: DeadLetterView[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page',
  })
  nextCursor!: string | null;
}

export class RedriveAcceptedView {
  @ApiProperty({
    description:
      'Maintenance job id; GET /api/v1/admin/queues/maintenance/jobs/{jobId} shows its progress ({ redriven })',
  })
  jobId!: string;
  @ApiProperty({ example: 'queued' }) status!: string;
}
