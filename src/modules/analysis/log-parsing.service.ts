import { Injectable } from '@nestjs/common';
import { decompressLog } from './log-archive';
import { LogStoreRepository } from './log-store.repository';
import { parseLog, PARSER_VERSION } from './parsers';

/** Parses each stored log once per parser version. */
@Injectable()
export class LogParsingService {
  private current = PARSER_VERSION;

  constructor(private readonly logs: LogStoreRepository) {}

  /** The parser version results are made with now. */
  get version(): number {
    return this.current;
  }

  /** Tests: behave as if the parsers had been upgraded to `version`. */
  useVersion(version: number): void {
    this.current = version;
  }

  /** Parses the stored log at the current version unless that was done; true if this call did. */
  async ensureParsed(traceHash: string, text?: string): Promise<boolean> {
    const version = this.current;
    if (await this.logs.isParsed(traceHash, version)) return false;
    let log = text;
    if (log === undefined) {
      const content = await this.logs.content(traceHash);
      if (!content) throw new Error(`log ${traceHash} is not stored`);
      log = await decompressLog(content);
    }
    return this.logs.recordParse(traceHash, version, parseLog(log).problems);
  }
}
