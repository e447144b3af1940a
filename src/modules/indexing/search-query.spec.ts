import { literalHasTrigram, regexHasTrigram } from './search-query';

describe('which code queries the trigram index can serve', () => {
  it.each([
    ['parseConfig', true],
    ['foo.bar', true],
    ['ab', false],
    ['a.b.c', false],
    ['   ', false],
    ['é_x', true],
  ])('literal %p → %p', (query, expected) => {
    expect(literalHasTrigram(query)).toBe(expected);
  });

  it.each([
    ['foo.*bar', true],
    ['^import .* from', true],
    ['.*', false],
    ['\\w+', false],
    ['[a-z]{3}', false],
    ['abc|de', false],
    ['abc|def', true],
    ['(abc|def)x', true],
    ['(ab|cd)ef', false],
    ['x(abc)?', false],
    ['abc?', false],
    ['abcd?', true],
    ['a+bc', false],
    ['ab\\.c', false],
    ['\\bfoo\\b', true],
    ['(?:create|update)User', true],
    ['(?=abc)', false],
    ['fo{0,1}o', false],
  ])('regex %p → %p', (query, expected) => {
    expect(regexHasTrigram(query)).toBe(expected);
  });
});
