import { bodyKindOf, isRawBodyRoute, parseFormBody, RAW_BODY_ROUTE } from './body-parsers';

describe('bodyKindOf', () => {
  it('knows JSON and forms, with parameters and in any case', () => {
    expect(bodyKindOf('application/json')).toBe('json');
    expect(bodyKindOf('Application/JSON; charset=utf-8')).toBe('json');
    expect(bodyKindOf('application/x-www-form-urlencoded')).toBe('form');
    expect(bodyKindOf(' application/x-www-form-urlencoded ;charset=UTF-8')).toBe('form');
  });

  it('refuses every other media type', () => {
    for (const type of ['text/plain', 'application/json-patch+json', 'multipart/form-data', '']) {
      expect(bodyKindOf(type)).toBeNull();
    }
  });
});

describe('parseFormBody', () => {
  it('reads the fields of a form', () => {
    expect(parseFormBody(Buffer.from('payload=%7B%7D&other=1'))).toEqual({
      payload: '{}',
      other: '1',
    });
  });

  it('refuses a field given twice (readers would disagree on which one counts)', () => {
    expect(() => parseFormBody(Buffer.from('payload=%7B%7D&payload=%5B%5D'))).toThrow(
      'Form field "payload" is given more than once',
    );
  });
});

describe('isRawBodyRoute', () => {
  it('is true for the RAW_BODY_ROUTE config only', () => {
    expect(isRawBodyRoute({ ...RAW_BODY_ROUTE, url: '/webhooks/:provider' })).toBe(true);
    for (const config of [undefined, null, {}, { rawBody: 'yes' }, 'rawBody']) {
      expect(isRawBodyRoute(config)).toBe(false);
    }
  });
});
