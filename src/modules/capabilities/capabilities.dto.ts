import { ApiProperty } from '@nestjs/swagger';
import { ALL_PROVIDERS } from '../webhooks/providers/provider-adapter';
import { FORGE_FEATURES, RECORD_OF } from './event-catalogue';

const RECORD_KINDS = Object.keys(RECORD_OF);
const FEATURES = Object.keys(FORGE_FEATURES);

export class ModelledEventView {
  @ApiProperty({ example: 'pull_request' }) event!: string;
  @ApiProperty({ enum: RECORD_KINDS, isArray: true }) becomes!: string[];
  @ApiProperty({ type: [String], description: 'What that is in the record' }) records!: string[];
}

export class ProviderCapabilityView {
  @ApiProperty({ enum: ALL_PROVIDERS }) provider!: string;
  @ApiProperty({ example: 'GitHub' }) displayName!: string;
  @ApiProperty({ example: '/webhooks/github' }) defaultWebhookPath!: string;
  @ApiProperty({ description: 'Whether the default source has a secret (from the environment)' })
  defaultSourceConfigured!: boolean;
  @ApiProperty({ type: [String], description: 'Environment variables of the default source' })
  secretVariables!: string[];
  @ApiProperty({ type: [ModelledEventView] }) events!: ModelledEventView[];
}

export class ConfiguredSourceView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ALL_PROVIDERS }) provider!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() webhookPath!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty() secretConfigured!: boolean;
}

export class ForgeFeatureView {
  @ApiProperty({ enum: FEATURES }) feature!: string;
  @ApiProperty({ description: 'What the feature needs the forge API for' }) needs!: string;
  @ApiProperty() available!: boolean;
  @ApiProperty({ description: 'Why it is not available (empty when it is)' }) reason!: string;
}

export class ForgeCredentialView {
  @ApiProperty({ enum: ALL_PROVIDERS }) provider!: string;
  @ApiProperty({ description: 'The source (default = from the environment)' }) source!: string;
  @ApiProperty({ description: 'Whether API credentials for this source are configured' })
  configured!: boolean;
  @ApiProperty({ type: [ForgeFeatureView] }) features!: ForgeFeatureView[];
}

export class CapabilitiesView {
  @ApiProperty({ type: [ProviderCapabilityView] }) providers!: ProviderCapabilityView[];
  @ApiProperty({ type: [ConfiguredSourceView], description: 'Named sources; never their secrets' })
  sources!: ConfiguredSourceView[];
  @ApiProperty({ type: [ForgeCredentialView] }) forgeCredentials!: ForgeCredentialView[];
}
