import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RepositoryEntity } from '../entities/repository.entity';
import { CiRunsController } from './ci-runs.controller';
import { CiRunsRepository } from './ci-runs.repository';
import { CommentsRepository } from './comments.repository';
import { CommitsController } from './commits.controller';
import { CommitsRepository } from './commits.repository';
import { DeploymentsController } from './deployments.controller';
import { DeploymentsRepository } from './deployments.repository';
import { IssuesController } from './issues.controller';
import { IssuesRepository } from './issues.repository';
import { PullRequestsController } from './pull-requests.controller';
import { PullRequestsRepository } from './pull-requests.repository';
import { ReleasesController } from './releases.controller';
import { ReleasesRepository } from './releases.repository';
import { RepositoriesController } from './repositories.controller';
import { RepositoriesRepository } from './repositories.repository';

/** The read API of the engineering record (/api/v1, GET only). */
@Module({
  imports: [TypeOrmModule.forFeature([RepositoryEntity])],
  controllers: [
    RepositoriesController,
    PullRequestsController,
    IssuesController,
    CommitsController,
    CiRunsController,
    DeploymentsController,
    ReleasesController,
  ],
  providers: [
    RepositoriesRepository,
    PullRequestsRepository,
    CommentsRepository,
    IssuesRepository,
    CommitsRepository,
    CiRunsRepository,
    DeploymentsRepository,
    ReleasesRepository,
  ],
  exports: [PullRequestsRepository, CiRunsRepository, RepositoriesRepository],
})
export class ActivityReadModule {}
