import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CodeSearchService } from './code-search.service';
import { CodeSearchQuery, CodeSearchView, SymbolSearchQuery, SymbolSearchView } from './search.dto';

@ApiTags('search')
@ApiBearerAuth()
@Controller('api/v1/search')
export class SearchController {
  constructor(private readonly search: CodeSearchService) {}

  @Get('code')
  @ApiOperation({
    summary: 'Literal or regular-expression search over the indexed code',
    description:
      'Files with a symbol definition named like the query come first, then files whose path matches, then other content matches; within each, by repository, ref, path and line.',
  })
  @ApiOkResponse({ type: CodeSearchView })
  @ApiBadRequestResponse({
    description: 'Invalid input, or QUERY_TOO_BROAD: no trigram in the query',
  })
  code(@Query() query: CodeSearchQuery): Promise<CodeSearchView> {
    return this.search.code(query);
  }

  @Get('symbols')
  @ApiOperation({ summary: 'Definitions by name: exact, then prefix, then substring' })
  @ApiOkResponse({ type: SymbolSearchView })
  symbols(@Query() query: SymbolSearchQuery): Promise<SymbolSearchView> {
    return this.search.symbols(query);
  }
}
