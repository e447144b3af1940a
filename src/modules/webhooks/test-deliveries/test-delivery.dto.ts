import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ALL_DELIVERY_STATUSES, DeliveryStatus } from '../../deliveries/delivery-status';
import { ALL_PROVIDERS } from '../providers/provider-adapter';

export const DEFAULT_WAIT_SECONDS = 5;
export const MAX_WAIT_SECONDS = 30;

export class TestDeliveryQuery {
  @ApiPropertyOptional({
    type: 'integer',
    default: DEFAULT_WAIT_SECONDS,
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    description: 'Seconds to wait for the delivery to be processed before answering',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  wait?: number;
}

export class WebhookAnswerView {
  @ApiProperty({ description: 'What the webhook endpoint answered (202 accepted)' })
  statusCode!: number;
  @ApiProperty({ enum: ['accepted', 'duplicate'] }) status!: string;
}

export class SampleRepositoryView {
  @ApiProperty() id!: string;
  @ApiProperty() fullName!: string;
}

export class SamplePushView {
  @ApiProperty() id!: string;
  @ApiProperty() ref!: string;
  @ApiProperty() beforeSha!: string;
  @ApiProperty() afterSha!: string;
}

export class SampleCommitView {
  @ApiProperty() sha!: string;
  @ApiProperty() message!: string;
}

export class SampleRecordsView {
  @ApiProperty({ type: SampleRepositoryView }) repository!: SampleRepositoryView;
  @ApiProperty({ type: [SamplePushView] }) pushes!: SamplePushView[];
  @ApiProperty({
    type: [SampleCommitView],
    description: 'Empty for Bitbucket Data Center, whose pushes list no commits',
  })
  commits!: SampleCommitView[];
}

export class TestDeliveryView {
  @ApiProperty({ description: 'The stored delivery (GET /api/v1/admin/deliveries/{id})' })
  deliveryId!: string;
  @ApiProperty({ enum: ALL_PROVIDERS }) provider!: string;
  @ApiProperty({ description: 'Source slug (`default` for the env-configured one)' })
  source!: string;
  @ApiProperty({ description: 'The webhook path the sample was sent through' })
  webhookPath!: string;
  @ApiProperty({ description: 'The sample event, as the forge names it' }) event!: string;
  @ApiProperty({ type: WebhookAnswerView }) webhook!: WebhookAnswerView;
  @ApiProperty({ enum: ALL_DELIVERY_STATUSES, description: 'The delivery status when answering' })
  status!: DeliveryStatus;
  @ApiProperty({ description: 'Whether that status is final (else the answer is 202)' })
  final!: boolean;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: SampleRecordsView,
    description: 'What the processed delivery wrote to the record; null until it is processed',
  })
  records!: SampleRecordsView | null;
}
