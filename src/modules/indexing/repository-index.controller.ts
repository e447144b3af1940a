import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { IndexingService } from './indexing.service';
import { FileQuery, IndexedFileView, IndexStatusView } from './search.dto';

@ApiTags('search')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'Unknown repository, or a file the index does not hold' })
@Controller('api/v1/repositories')
export class RepositoryIndexController {
  constructor(private readonly indexing: IndexingService) {}

  @Get(':id/index')
  @ApiOperation({ summary: "The repository's code index: state, indexed commit, counts, last run" })
  @ApiOkResponse({ type: IndexStatusView })
  status(@Param('id', ParseUUIDPipe) id: string): Promise<IndexStatusView> {
    return this.indexing.status(id);
  }

  @Get(':id/files')
  @ApiOperation({ summary: 'The indexed content of one file' })
  @ApiOkResponse({ type: IndexedFileView })
  file(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: FileQuery,
  ): Promise<IndexedFileView> {
    return this.indexing.file(id, query.path, query.ref);
  }
}
