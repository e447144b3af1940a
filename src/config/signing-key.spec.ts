import { signingKeyProblem } from './signing-key';

describe('Standard Webhooks signing keys', () => {
  it('accepts the published test key', () => {
    expect(signingKeyProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeUndefined();
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', /start with whsec_/],
    ['no key at all', 'whsec_', /holds 0/],
    ['padding only', 'whsec_====', /base64/],
    ['not base64', 'whsec_!!!!!!!!!!!!!!!!!!!!!!', /base64/],
    ['too few bytes', 'whsec_AAAAAAAA', /at least 16 key bytes .*holds 6/],
  ])('refuses %s', (_, key, problem) => {
    expect(signingKeyProblem(key)).toMatch(problem);
  });
});
