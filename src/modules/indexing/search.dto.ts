import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';
import { NEXT_CURSOR_PROPERTY, TextFilter } from '../activity/read/read.dto';
import { KNOWN_LANGUAGES } from './languages';
import { SYMBOL_KINDS } from './symbol-extractor';

export const DEFAULT_SEARCH_LIMIT = 50;

/** `true`/`false` in a query string, and nothing else. */
function QueryBoolean(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Boolean, default: false, description }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      value === 'true' ? true : value === 'false' ? false : value,
    ),
    IsBoolean(),
  );
}

function Query(description: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description, minLength: 1, maxLength: 500 }),
    IsString(),
    Length(1, 500),
    ValidateBy({
      name: 'withoutNul',
      validator: {
        validate: (value) => typeof value === 'string' && !value.includes('\u0000'),
        defaultMessage: () => '$property must not contain NUL characters',
      },
    }),
  );
}

class SearchPage {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', default: DEFAULT_SEARCH_LIMIT, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class CodeSearchQuery extends SearchPage {
  @Query(
    'A literal (default) or a regular expression. It must contain three word characters in a row that every match contains, so that the trigram index can answer it.',
  )
  q!: string;

  @QueryBoolean(
    'Read `q` as a regular expression (POSIX-style as PostgreSQL reads it; `\\b` is a word boundary)',
  )
  regex?: boolean;

  @QueryBoolean('Match letter case exactly')
  caseSensitive?: boolean;

  @TextFilter('Repository id or full name (`owner/name`)')
  repository?: string;

  @TextFilter(
    'Path glob: `**` spans directories, `*` and `?` stay in one; without `/` it matches file names',
  )
  path?: string;

  @ApiPropertyOptional({ enum: KNOWN_LANGUAGES })
  @IsOptional()
  @IsIn(KNOWN_LANGUAGES)
  language?: string;

  @TextFilter(
    'Branch name (`main` or `refs/heads/main`); the default branch of each repository when absent',
  )
  ref?: string;
}

export class SymbolSearchQuery extends SearchPage {
  @Query(
    'Name, or part of one; exact names first, then prefixes, then substrings (three characters or more)',
  )
  q!: string;

  @ApiPropertyOptional({ enum: SYMBOL_KINDS })
  @IsOptional()
  @IsIn(SYMBOL_KINDS)
  kind?: string;

  @ApiPropertyOptional({ enum: KNOWN_LANGUAGES })
  @IsOptional()
  @IsIn(KNOWN_LANGUAGES)
  language?: string;

  @TextFilter('Repository id or full name (`owner/name`)')
  repository?: string;

  @TextFilter('Branch name; the default branch of each repository when absent')
  ref?: string;
}

export class FileQuery {
  @ApiProperty({ description: 'Path in the repository', example: 'src/index.ts' })
  @IsString()
  @Length(1, 4096)
  @ValidateBy({
    name: 'withoutNul',
    validator: {
      validate: (value) => typeof value === 'string' && !value.includes('\u0000'),
      defaultMessage: () => '$property must not contain NUL characters',
    },
  })
  path!: string;

  @TextFilter('Branch name; the default branch when absent')
  ref?: string;
}

export class PreviewView {
  @ApiProperty({ description: 'The matching line (cut at 1000 characters)' }) text!: string;
  @ApiProperty({ type: [String], description: 'The line before, if any' }) before!: string[];
  @ApiProperty({ type: [String], description: 'The line after, if any' }) after!: string[];
}

export class CodeMatchView {
  @ApiProperty({ example: 'acme/api' }) repository!: string;
  @ApiProperty() path!: string;
  @ApiProperty({ example: 'main' }) ref!: string;
  @ApiProperty({ description: 'The commit this ref was indexed at' }) commitSha!: string;
  @ApiProperty({ description: '1-based line number' }) line!: number;
  @ApiProperty({ type: PreviewView }) preview!: PreviewView;
  @ApiProperty({
    description: 'Matches in `preview.text` as [start, end) character offsets',
    type: 'array',
    items: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
  })
  ranges!: Array<[number, number]>;
}

export class CodeSearchView {
  @ApiProperty({ type: [CodeMatchView] }) items!: CodeMatchView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
  @ApiProperty({ description: 'Time the search took in the server' }) tookMs!: number;
}

export class SymbolView {
  @ApiProperty() repository!: string;
  @ApiProperty() path!: string;
  @ApiProperty() line!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: SYMBOL_KINDS }) kind!: string;
  @ApiProperty() language!: string;
  @ApiProperty() commitSha!: string;
}

export class SymbolSearchView {
  @ApiProperty({ type: [SymbolView] }) items!: SymbolView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}

export class LastRunView {
  @ApiProperty() changedFiles!: number;
  @ApiProperty() tookMs!: number;
  @ApiProperty({ description: 'Blobs read from git (only those the index did not hold)' })
  blobsRead!: number;
  @ApiProperty({ description: 'Whether the run rebuilt the whole index' }) full!: boolean;
}

export class IndexedRefView {
  @ApiProperty({ example: 'main' }) ref!: string;
  @ApiProperty() commitSha!: string;
  @ApiProperty({ format: 'date-time' }) indexedAt!: string;
  @ApiProperty({ description: 'Files indexed' }) files!: number;
  @ApiProperty({ description: 'Files skipped' }) skipped!: number;
}

export class IndexStatusView {
  @ApiProperty({ enum: ['never', 'indexing', 'ready', 'failed'] }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) ref!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) commitSha!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) indexedAt!:
    string | null;
  @ApiProperty({ description: 'Files indexed' }) files!: number;
  @ApiProperty({ description: 'Bytes of the indexed files' }) bytes!: number;
  @ApiProperty({ description: 'Files skipped (binary, too large, generated, vendored, excluded)' })
  skipped!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiPropertyOptional({ nullable: true, type: LastRunView }) lastRun!: LastRunView | null;
  @ApiProperty({
    type: [IndexedRefView],
    description:
      'Every indexed branch: the default one first (its figures are the ones above), then the extra ones by name',
  })
  refs!: IndexedRefView[];
}

export class IndexedFileView {
  @ApiProperty() repository!: string;
  @ApiProperty() path!: string;
  @ApiProperty() ref!: string;
  @ApiProperty() commitSha!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) language!: string | null;
  @ApiProperty() bytes!: number;
  @ApiProperty() content!: string;
}
