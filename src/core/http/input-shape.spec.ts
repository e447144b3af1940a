import { AppError } from './app-error';
import { checkRequestFields, MAX_INPUT_DEPTH } from './input-shape';

function refusal(run: () => void): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('request input shape', () => {
  it('accepts ordinary input', () => {
    expect(() =>
      checkRequestFields({ filter: { event: 'push', ids: ['a', 'b'] }, limit: 3 }, 'body'),
    ).not.toThrow();
  });

  it('names the field holding NUL or a lone surrogate', () => {
    const nul = refusal(() => checkRequestFields({ filter: { event: 'a\u0000' } }, 'body'));
    expect(nul.status).toBe(400);
    expect(nul.message).toBe('filter.event must not contain NUL characters');
    expect(nul.details).toEqual({ field: 'filter.event' });
    const surrogate = refusal(() => checkRequestFields({ ids: ['ok', 'x\ud800'] }, 'body'));
    expect(surrogate.message).toBe('ids[1] must be valid Unicode (it has a lone surrogate)');
    expect(refusal(() => checkRequestFields({ 'a\u0000': 1 }, 'query')).message).toMatch(
      /a field name of the query/,
    );
  });

  it('refuses nesting deeper than the bound, iteratively (50,000 levels)', () => {
    const deep = JSON.parse(
      `{"filter":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
    ) as unknown;
    const error = refusal(() => checkRequestFields(deep, 'body'));
    expect(error.message).toMatch(
      new RegExp(`^filter(\\.a)+ is nested deeper than ${MAX_INPUT_DEPTH}`),
    );
    let ok: unknown = 1;
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i++) ok = [ok];
    expect(() => checkRequestFields({ x: ok }, 'body')).not.toThrow();
  });

  it('checks a body that is not an object as a whole', () => {
    expect(refusal(() => checkRequestFields('a\u0000', 'body')).message).toBe(
      'body must not contain NUL characters',
    );
  });
});
