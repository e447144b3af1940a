import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class ListReconciliationsQuery {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ReconciliationRunView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['start', 'schedule', 'manual'] }) trigger!: string;
  @ApiProperty({ enum: ['running', 'finished', 'failed'] }) status!: string;
  @ApiProperty() startedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ description: 'Hooks whose deliveries were listed' }) hooksChecked!: number;
  @ApiProperty({ description: 'Deliveries the forges listed since the checkpoints' })
  deliveriesSeen!: number;
  @ApiProperty({ description: 'Listed deliveries Hookyard had not stored' }) missing!: number;
  @ApiProperty({ description: 'Redeliveries asked for in this run' })
  redeliveryRequested!: number;
  @ApiProperty({ description: 'Of those, how many have arrived since' }) recovered!: number;
  @ApiProperty({
    type: [String],
    description: 'Hooks that could not be checked, and why (e.g. no API credentials)',
  })
  problems!: string[];
}

export class ReconciliationPageView {
  @ApiProperty({ type: [ReconciliationRunView] }) items!: ReconciliationRunView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}
