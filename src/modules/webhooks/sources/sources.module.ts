import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecretCipher } from './secret-cipher';
import { SourceEntity } from './source.entity';
import { SourcesController } from './sources.controller';
import { SourcesService } from './sources.service';

/** Webhook sources: the default one per provider and the named ones, with their secrets. */
@Module({
  imports: [TypeOrmModule.forFeature([SourceEntity])],
  controllers: [SourcesController],
  providers: [SourcesService, SecretCipher],
  exports: [SourcesService, SecretCipher],
})
export class SourcesModule {}
