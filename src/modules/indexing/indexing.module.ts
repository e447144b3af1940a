import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SchedulerLock } from '../../core/database/scheduler-lock';
import { CODE_INDEX_ENTITIES } from './code-index.entities';
import { CodeIndexRepository } from './code-index.repository';
import { CodeSearchRepository } from './code-search.repository';
import { CodeSearchService } from './code-search.service';
import { IndexCleanupService } from './index-cleanup.service';
import { IndexRepositoryHandler } from './index-repository.handler';
import { IndexingService } from './indexing.service';
import { ConfiguredOriginResolver, MirrorRemoteResolver } from './mirror-remote-resolver';
import { RepositoryIndexController } from './repository-index.controller';
import { RepositoryIndexer } from './repository-indexer';
import { SearchController } from './search.controller';
import { SymbolExtractor } from './symbol-extractor';

/** Git mirrors, the incremental blob index, code and symbol search. */
@Module({
  imports: [TypeOrmModule.forFeature(CODE_INDEX_ENTITIES)],
  controllers: [SearchController, RepositoryIndexController],
  providers: [
    { provide: MirrorRemoteResolver, useClass: ConfiguredOriginResolver },
    CodeIndexRepository,
    CodeSearchRepository,
    CodeSearchService,
    IndexingService,
    IndexRepositoryHandler,
    IndexCleanupService,
    RepositoryIndexer,
    SymbolExtractor,
    SchedulerLock,
  ],
  exports: [IndexingService, CodeSearchService],
})
export class IndexingModule {}
