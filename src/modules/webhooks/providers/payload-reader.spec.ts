import { UnreadablePayloadError } from '../../activity/domain-events';
import { isPayloadRecord, omitUndefined, PayloadReader, toIsoTimestamp } from './payload-reader';

const payload = {
  title: 'Fix it',
  blank: '  ',
  empty: '',
  count: 3,
  ratio: 0.5,
  infinite: Number.POSITIVE_INFINITY,
  numericId: 42,
  stringId: '{uuid-1}',
  flag: false,
  nothing: null,
  when: '2019-05-15T15:20:41Z',
  offset: '2019-05-15T08:20:41-07:00',
  gitlabTime: '2019-05-15 15:20:41 UTC',
  unixSeconds: 1557933657,
  nonsense: 'yesterday-ish',
  head: { ref: 'main', repo: { name: 'hookyard' } },
  labels: [{ name: 'bug' }, 'stray', null, { name: 'ci' }],
  files: ['a.ts', 7, 'b.ts'],
};

const reader = PayloadReader.root(payload, 'Test payload');

describe('isPayloadRecord', () => {
  it('accepts plain objects only', () => {
    expect(isPayloadRecord({})).toBe(true);
    expect(isPayloadRecord([])).toBe(false);
    expect(isPayloadRecord(null)).toBe(false);
    expect(isPayloadRecord('x')).toBe(false);
  });
});

describe('toIsoTimestamp', () => {
  it('keeps ISO 8601 strings as sent, offsets and fractions included', () => {
    expect(toIsoTimestamp('2019-05-15T15:20:41Z')).toBe('2019-05-15T15:20:41Z');
    expect(toIsoTimestamp('2019-05-15T08:20:41-07:00')).toBe('2019-05-15T08:20:41-07:00');
    expect(toIsoTimestamp('2019-05-15T15:20:41.123456+00:00')).toBe(
      '2019-05-15T15:20:41.123456+00:00',
    );
  });

  it('converts other parseable strings and Unix seconds to UTC ISO', () => {
    expect(toIsoTimestamp('2019-05-15 15:20:41 UTC')).toBe('2019-05-15T15:20:41.000Z');
    expect(toIsoTimestamp(1557933657)).toBe('2019-05-15T15:20:57.000Z');
  });

  it('rejects what is not a time', () => {
    expect(toIsoTimestamp('yesterday-ish')).toBeUndefined();
    expect(toIsoTimestamp('')).toBeUndefined();
    expect(toIsoTimestamp(Number.NaN)).toBeUndefined();
    expect(toIsoTimestamp(null)).toBeUndefined();
    expect(toIsoTimestamp({})).toBeUndefined();
  });
});

describe('omitUndefined', () => {
  it('drops undefined properties and keeps null, false, 0 and empty strings', () => {
    expect(omitUndefined({ a: undefined, b: null, c: false, d: 0, e: '' })).toStrictEqual({
      b: null,
      c: false,
      d: 0,
      e: '',
    });
  });
});

describe('PayloadReader', () => {
  it('refuses a payload that is not an object', () => {
    expect(() => PayloadReader.root([], 'Test payload')).toThrow(
      new UnreadablePayloadError('Test payload: the payload is not a JSON object'),
    );
  });

  it('reads strings, with text() treating blank as absent', () => {
    expect(reader.str('title')).toBe('Fix it');
    expect(reader.str('empty')).toBe('');
    expect(reader.text('empty')).toBeUndefined();
    expect(reader.text('blank')).toBeUndefined();
    expect(reader.str('count')).toBeUndefined();
    expect(reader.str('nothing')).toBeUndefined();
    expect(reader.str('missing')).toBeUndefined();
  });

  it('reads numbers, whole numbers and booleans by type', () => {
    expect(reader.num('ratio')).toBe(0.5);
    expect(reader.num('infinite')).toBeUndefined();
    expect(reader.int('count')).toBe(3);
    expect(reader.int('ratio')).toBeUndefined();
    expect(reader.num('title')).toBeUndefined();
    expect(reader.bool('flag')).toBe(false);
    expect(reader.bool('count')).toBeUndefined();
  });

  it('reads ids from whole numbers or non-blank strings', () => {
    expect(reader.id('numericId')).toBe('42');
    expect(reader.id('stringId')).toBe('{uuid-1}');
    expect(reader.id('ratio')).toBeUndefined();
    expect(reader.id('empty')).toBeUndefined();
  });

  it('reads timestamps', () => {
    expect(reader.iso('when')).toBe('2019-05-15T15:20:41Z');
    expect(reader.iso('offset')).toBe('2019-05-15T08:20:41-07:00');
    expect(reader.iso('gitlabTime')).toBe('2019-05-15T15:20:41.000Z');
    expect(reader.iso('unixSeconds')).toBe('2019-05-15T15:20:57.000Z');
    expect(reader.iso('nonsense')).toBeUndefined();
  });

  it('tells present from null or missing', () => {
    expect(reader.has('flag')).toBe(true);
    expect(reader.has('nothing')).toBe(false);
    expect(reader.has('missing')).toBe(false);
  });

  it('reads nested objects and arrays, keeping the path for messages', () => {
    const repo = reader.obj('head')?.obj('repo');
    expect(repo?.str('name')).toBe('hookyard');
    expect(repo?.path).toBe('head.repo');
    expect(reader.obj('title')).toBeUndefined();
    expect(reader.arr('files')).toEqual(['a.ts', 7, 'b.ts']);
    expect(reader.arr('head')).toBeUndefined();
    expect(reader.strings('files')).toEqual(['a.ts', 'b.ts']);
    expect(reader.strings('missing')).toEqual([]);
    const labels = reader.objects('labels');
    expect(labels.map((label) => label.str('name'))).toEqual(['bug', 'ci']);
    expect(labels.map((label) => label.path)).toEqual(['labels[0]', 'labels[3]']);
    expect(reader.objects('missing')).toEqual([]);
  });

  it('returns required values that are there', () => {
    expect(reader.requireStr('empty')).toBe('');
    expect(reader.requireText('title')).toBe('Fix it');
    expect(reader.requireNum('ratio')).toBe(0.5);
    expect(reader.requireInt('count')).toBe(3);
    expect(reader.requireBool('flag')).toBe(false);
    expect(reader.requireId('numericId')).toBe('42');
    expect(reader.requireIso('when')).toBe('2019-05-15T15:20:41Z');
    expect(reader.requireObj('head').requireText('ref')).toBe('main');
    expect(reader.requireArr('files')).toHaveLength(3);
  });

  it('names the payload and the path when a required value is missing', () => {
    expect(() => reader.requireObj('head').requireObj('repo').requireText('owner')).toThrow(
      new UnreadablePayloadError(
        'Test payload: head.repo.owner is missing or not a non-empty string',
      ),
    );
    expect(() => reader.requireInt('ratio')).toThrow(
      'Test payload: ratio is missing or not a whole number',
    );
    expect(() => reader.requireIso('nonsense')).toThrow(
      'Test payload: nonsense is missing or not a timestamp',
    );
    expect(() => reader.requireObj('labels')).toThrow(
      'Test payload: labels is missing or not an object',
    );
    expect(() => reader.objects('labels')[1].requireId('id')).toThrow(
      'Test payload: labels[3].id is missing or not an id (whole number or non-empty string)',
    );
  });

  it('fails with a message about the object or one of its keys', () => {
    expect(() => reader.fail('is empty')).toThrow(UnreadablePayloadError);
    expect(() => reader.fail('has no commits')).toThrow('Test payload: has no commits');
    expect(() => reader.requireObj('head').fail('is "x"', 'ref')).toThrow(
      'Test payload: head.ref is "x"',
    );
  });

  it('exposes the raw object', () => {
    expect(reader.raw).toBe(payload);
  });
});
