import {
  Check,
  Column,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { RepositoryEntity } from '../activity/entities/repository.entity';

/** One file content, stored once by its git blob SHA however many paths hold it. */
@Entity('code_blobs')
export class CodeBlobEntity {
  @PrimaryColumn('text')
  sha!: string;

  @Column('integer')
  bytes!: number;

  @Column('text', { nullable: true })
  language!: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}

/**
 * Consecutive whole lines of a blob (about 4 KB), starting at `line`: the blob's content is
 * its chunks in line order, and the trigram index covers them.
 */
@Entity('code_chunks')
// gin (content gin_trgm_ops): TypeORM cannot describe an operator class; the migration owns it.
@Index('code_chunks_content_trgm_idx', { synchronize: false })
export class CodeChunkEntity {
  static readonly expressionIndexes = {
    code_chunks_content_trgm_idx: `CREATE INDEX code_chunks_content_trgm_idx
      ON code_chunks USING gin (content gin_trgm_ops)`,
  };

  @PrimaryColumn('text', { name: 'blob_sha' })
  @ForeignKey(() => CodeBlobEntity, { name: 'code_chunks_blob_sha_fkey', onDelete: 'CASCADE' })
  blobSha!: string;

  @PrimaryColumn('integer')
  line!: number;

  @Column('text')
  content!: string;
}

/** A definition (function, class, …) found by tree-sitter in one blob. */
@Entity('code_symbols')
@Index('code_symbols_blob_idx', ['blobSha'])
// Expression indexes on lower(name) (gin trigram and text_pattern_ops): owned by the migration.
@Index('code_symbols_name_trgm_idx', { synchronize: false })
@Index('code_symbols_name_prefix_idx', { synchronize: false })
export class CodeSymbolEntity {
  static readonly expressionIndexes = {
    code_symbols_name_trgm_idx: `CREATE INDEX code_symbols_name_trgm_idx
      ON code_symbols USING gin (lower(name) gin_trgm_ops)`,
    code_symbols_name_prefix_idx: `CREATE INDEX code_symbols_name_prefix_idx
      ON code_symbols (lower(name) text_pattern_ops)`,
  };

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('text', { name: 'blob_sha' })
  @ForeignKey(() => CodeBlobEntity, { name: 'code_symbols_blob_sha_fkey', onDelete: 'CASCADE' })
  blobSha!: string;

  @Column('text')
  name!: string;

  @Column('text')
  kind!: string;

  @Column('text')
  language!: string;

  @Column('integer')
  line!: number;
}

export type CodeIndexStatus = 'indexing' | 'ready' | 'failed';

/** A repository's index: the state of its last run and whether a full rebuild is asked for. */
@Entity('code_indexes')
@Check('code_indexes_status_check', `status IN ('indexing', 'ready', 'failed')`)
export class CodeIndexEntity {
  @PrimaryColumn('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'code_indexes_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @Column('text')
  status!: CodeIndexStatus;

  @Column('boolean', { name: 'rebuild_requested', default: false })
  rebuildRequested!: boolean;

  @Column('text', { name: 'options_hash', nullable: true })
  optionsHash!: string | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('boolean', { name: 'last_run_full', nullable: true })
  lastRunFull!: boolean | null;

  @Column('integer', { name: 'last_run_changed_files', nullable: true })
  lastRunChangedFiles!: number | null;

  @Column('integer', { name: 'last_run_blobs_read', nullable: true })
  lastRunBlobsRead!: number | null;

  @Column('integer', { name: 'last_run_took_ms', nullable: true })
  lastRunTookMs!: number | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

/** One indexed ref of a repository and the commit readers see. */
@Entity('code_index_refs')
export class CodeIndexRefEntity {
  @PrimaryColumn('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'code_index_refs_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @PrimaryColumn('text')
  ref!: string;

  @Column('text', { name: 'commit_sha' })
  commitSha!: string;

  @Column('timestamptz', { name: 'indexed_at' })
  indexedAt!: Date;

  @Column('integer')
  files!: number;

  @Column('bigint')
  bytes!: string;

  @Column('integer')
  skipped!: number;
}

/** A path of an indexed ref: its blob, or why it was skipped. */
@Entity('code_index_files')
@Index('code_index_files_blob_idx', ['blobSha'], { where: 'blob_sha IS NOT NULL' })
@Check('code_index_files_check', `(blob_sha IS NULL) = (skipped_reason IS NOT NULL)`)
@ForeignKey(() => CodeIndexRefEntity, ['repositoryId', 'ref'], ['repositoryId', 'ref'], {
  name: 'code_index_files_repository_id_ref_fkey',
  onDelete: 'CASCADE',
})
export class CodeIndexFileEntity {
  @PrimaryColumn('uuid', { name: 'repository_id' })
  repositoryId!: string;

  @PrimaryColumn('text')
  ref!: string;

  @PrimaryColumn('text')
  path!: string;

  @Column('text', { name: 'blob_sha', nullable: true })
  blobSha!: string | null;

  @Column('text', { nullable: true })
  language!: string | null;

  @Column('bigint')
  bytes!: string;

  @Column('text', { name: 'skipped_reason', nullable: true })
  skippedReason!: string | null;
}

/** Branches a repository indexes besides its default one (exact names or globs). */
@Entity('code_index_settings')
@Check('code_index_settings_branches_check', `cardinality(branches) <= 50`)
export class CodeIndexSettingsEntity {
  @PrimaryColumn('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'code_index_settings_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @Column('text', { array: true, default: [] })
  branches!: string[];

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

export const CODE_INDEX_ENTITIES = [
  CodeBlobEntity,
  CodeChunkEntity,
  CodeSymbolEntity,
  CodeIndexEntity,
  CodeIndexRefEntity,
  CodeIndexFileEntity,
  CodeIndexSettingsEntity,
];
