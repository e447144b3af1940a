import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rowsOf } from '../../core/database/rows';
import type { ParseSource } from './analysis.entities';
import type { Problem } from './parsers';

const PROBLEM_COLUMNS = 13;

/** Stored logs and their parses: a log is stored once per trace hash, parsed once per version. */
@Injectable()
export class LogStoreRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores the log unless it is stored already; marks it used either way. */
  async store(traceHash: string, content: Buffer, bytes: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO analysis_logs (trace_hash, content, bytes) VALUES ($1, $2, $3)
       ON CONFLICT (trace_hash) DO UPDATE SET last_used_at = now()`,
      [traceHash, content, bytes],
    );
  }

  async content(traceHash: string): Promise<Buffer | undefined> {
    const rows = await this.dataSource.query<{ content: Buffer }[]>(
      `SELECT content FROM analysis_logs WHERE trace_hash = $1`,
      [traceHash],
    );
    return rows[0]?.content;
  }

  async isParsed(traceHash: string, parserVersion: number): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM analysis_parses WHERE trace_hash = $1 AND parser_version = $2`,
      [traceHash, parserVersion],
    );
    return rows.length > 0;
  }

  /**
   * Records one parse and its problems in one transaction. The parse row is the claim: when
   * another worker recorded the same parse first, nothing is written and false is answered.
   */
  async recordParse(
    traceHash: string,
    parserVersion: number,
    problems: Problem[],
    source: ParseSource = 'log',
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const claimed = await manager.query<unknown[]>(
        `INSERT INTO analysis_parses (trace_hash, parser_version, problems, source)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
        [traceHash, parserVersion, problems.length, source],
      );
      if (claimed.length === 0) return false;
      for (let from = 0; from < problems.length; from += 500) {
        const chunk = problems.slice(from, from + 500);
        const params: unknown[] = [];
        const rows = chunk.map((p, i) => {
          params.push(
            traceHash,
            parserVersion,
            from + i,
            p.tool,
            p.severity,
            p.code ?? null,
            p.message,
            p.file ?? null,
            p.line ?? null,
            p.column ?? null,
            p.testName ?? null,
            p.fingerprint,
            `${p.start}:${p.end}`,
          );
          const b = i * PROBLEM_COLUMNS;
          const ph = (k: number) => `$${b + k}`;
          return `(${ph(1)}, ${ph(2)}::int, ${ph(3)}::int, ${ph(4)}, ${ph(5)}, ${ph(6)}, ${ph(7)},
            ${ph(8)}, ${ph(9)}::int, ${ph(10)}::int, ${ph(11)}, ${ph(12)},
            split_part(${ph(13)}, ':', 1)::int, split_part(${ph(13)}, ':', 2)::int)`;
        });
        await manager.query(
          `INSERT INTO analysis_problems (trace_hash, parser_version, ordinal, tool, severity, code,
             message, file, line, "column", test_name, fingerprint, start_line, end_line)
           VALUES ${rows.join(', ')}`,
          params,
        );
      }
      return true;
    });
  }

  /** Stored logs some analysed job still reads through an older parser version. */
  async tracesBehind(parserVersion: number, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ trace_hash: string }[]>(
      `SELECT DISTINCT trace_hash FROM analysis_jobs
       WHERE status = 'analyzed' AND trace_hash IS NOT NULL AND parser_version < $1
       LIMIT $2`,
      [parserVersion, limit],
    );
    return rows.map((r) => r.trace_hash);
  }

  /**
   * Log parses of older versions that no job reads any more (their problems go with them).
   * Test-report parses have versions of their own and leave with their stored text.
   */
  async deleteOldParses(parserVersion: number): Promise<number> {
    const result = await this.dataSource.query<unknown[] | [unknown[], number]>(
      `DELETE FROM analysis_parses p
       WHERE p.source = 'log' AND p.parser_version < $1
         AND NOT EXISTS (SELECT 1 FROM analysis_jobs a
                         WHERE a.trace_hash = p.trace_hash AND a.parser_version = p.parser_version)
       RETURNING 1`,
      [parserVersion],
    );
    return rowsOf(result).length;
  }

  /** Logs unused for `days` days, with everything parsed from them. */
  async deleteLogsUnusedFor(days: number): Promise<number> {
    const result = await this.dataSource.query<unknown[] | [unknown[], number]>(
      `DELETE FROM analysis_logs WHERE last_used_at < now() - make_interval(days => $1::int)
       RETURNING 1`,
      [days],
    );
    return rowsOf(result).length;
  }
}
