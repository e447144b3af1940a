import { bodyKindOf } from './body-parsers';

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
