import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ALL_SCOPES, AuthenticatedRequest } from '../../core/auth/principal';
import { AppError, ErrorCode } from '../../core/http/app-error';

export class KeyInfoView {
  @ApiProperty() keyId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ALL_SCOPES, isArray: true }) scopes!: string[];
}

/** Who the caller's key is and what it may do (the dashboard hides what it may not). */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/v1/auth')
export class KeyInfoController {
  @Get('key')
  @ApiOperation({ summary: 'The API key of this request: id, name and scopes (never the secret)' })
  @ApiOkResponse({ type: KeyInfoView })
  key(@Req() request: AuthenticatedRequest): KeyInfoView {
    const principal = request.principal;
    if (!principal) throw new AppError(ErrorCode.Unauthorized, 'Missing API key');
    return { keyId: principal.keyId, name: principal.name, scopes: [...principal.scopes] };
  }
}
