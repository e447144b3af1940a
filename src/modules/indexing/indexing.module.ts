import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SchedulerLock } from '../../core/database/scheduler-lock';
import { ForgesModule } from '../forges/forges.module';
import { CODE_INDEX_ENTITIES } from './code-index.entities';
import { CodeIndexRepository } from './code-index.repository';
import { CodeSearchRepository } from './code-search.repository';
import { CodeSearchService } from './code-search.service';
import { IndexCleanupTask } from './index-cleanup.task';
import { IndexRebuildResumeTask } from './index-rebuild-resume.task';
import { IndexRepositoryHandler } from './index-repository.handler';
import { IndexSettingsController } from './index-settings.controller';
import { IndexSettingsRepository } from './index-settings.repository';
import { IndexingService } from './indexing.service';
import { MirrorRemoteResolver, SourceCredentialsResolver } from './mirror-remote-resolver';
import { RepositoryIndexController } from './repository-index.controller';
import { RepositoryIndexer } from './repository-indexer';
import { SearchController } from './search.controller';
import { SymbolExtractor } from './symbol-extractor';

/** Git mirrors, the incremental blob index, code and symbol search. */
@Module({
  imports: [TypeOrmModule.forFeature(CODE_INDEX_ENTITIES), ForgesModule],
  controllers: [SearchController, RepositoryIndexController, IndexSettingsController],
  providers: [
    { provide: MirrorRemoteResolver, useClass: SourceCredentialsResolver },
    CodeIndexRepository,
    CodeSearchRepository,
    CodeSearchService,
    IndexingService,
    IndexSettingsRepository,
    IndexRepositoryHandler,
    IndexCleanupTask,
    IndexRebuildResumeTask,
    RepositoryIndexer,
    SymbolExtractor,
    SchedulerLock,
  ],
  exports: [IndexingService, CodeSearchService],
})
export class IndexingModule {}
