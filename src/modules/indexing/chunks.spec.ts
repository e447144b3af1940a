import { CHUNK_CHARS, chunkLines } from './chunks';

describe('chunkLines', () => {
  it('cuts between lines, numbers each chunk by its first line, and loses nothing', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i + 1} ${'x'.repeat(i % 70)}`);
    const text = `${lines.join('\n')}\n`;
    const chunks = chunkLines(text);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.content).join('')).toBe(text);
    for (const chunk of chunks) {
      expect(chunk.content.length).toBeLessThanOrEqual(CHUNK_CHARS);
      expect(chunk.content.startsWith(`line ${chunk.line} `)).toBe(true);
    }
  });

  it('keeps a line longer than a chunk whole, and a text without a final newline', () => {
    const long = 'y'.repeat(CHUNK_CHARS * 2);
    const text = `a\n${long}\nb`;
    const chunks = chunkLines(text);
    expect(chunks.map((c) => c.content).join('')).toBe(text);
    expect(chunks.some((c) => c.content === `${long}\n`)).toBe(true);
    expect(chunks.at(-1)).toEqual({ line: 3, content: 'b' });
  });

  it('answers one empty chunk for an empty text', () => {
    expect(chunkLines('')).toEqual([{ line: 1, content: '' }]);
  });
});
