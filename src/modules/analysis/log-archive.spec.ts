import { compressLog, decompressLog, limitLog, traceHashOf } from './log-archive';
import { excerptRange } from './api/trace-excerpt';

describe('log archive', () => {
  it('round-trips a log through gzip and keys it by its SHA-256', async () => {
    const log = 'line 1\nerror: boom ✕\n';
    expect(await decompressLog(await compressLog(log))).toBe(log);
    expect(traceHashOf(log)).toMatch(/^[0-9a-f]{64}$/);
    expect(traceHashOf(log)).toBe(traceHashOf(`${log}`));
    expect(traceHashOf(log)).not.toBe(traceHashOf(`${log} `));
  });

  it('keeps the end of a long log, from a line start, and says it was cut', () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const cut = limitLog(log, 40);
    expect(cut.split('\n')[0]).toBe('[hookyard: log cut to its last 40 bytes]');
    expect(cut.endsWith('line 99')).toBe(true);
    expect(cut.split('\n')[1]).toMatch(/^line \d+$/);
    expect(limitLog(log, 10_000)).toBe(log);
  });
});

describe('excerptRange', () => {
  it('compact is the problem, balanced adds context within the log, full is everything', () => {
    expect(excerptRange('compact', 20, 22, 100)).toEqual({ first: 20, last: 22 });
    expect(excerptRange('balanced', 5, 6, 100)).toEqual({ first: 0, last: 16 });
    expect(excerptRange('balanced', 95, 96, 100)).toEqual({ first: 85, last: 99 });
    expect(excerptRange('full', 50, 50, 100)).toEqual({ first: 0, last: 99 });
  });
});
