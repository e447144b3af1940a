import { AppError, ErrorCode } from '../../core/http/app-error';
import { payloadOf } from './webhook-payload';

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

function refusal(read: () => unknown): { code: ErrorCode; message: string } {
  try {
    read();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the body was read');
}

describe('payloadOf', () => {
  const document = { action: 'opened', repository: { full_name: 'acme/widgets' } };
  const form = `payload=${encodeURIComponent(JSON.stringify(document))}`;

  it('reads a JSON body the same from its bytes (ingest) and its text (stored)', () => {
    const text = JSON.stringify(document);
    expect(payloadOf(Buffer.from(text), JSON_TYPE)).toEqual(document);
    expect(payloadOf(text, `${JSON_TYPE}; charset=utf-8`)).toEqual(document);
  });

  it("reads a form body's payload field, from bytes and from text", () => {
    expect(payloadOf(Buffer.from(form), FORM_TYPE)).toEqual(document);
    expect(payloadOf(form, FORM_TYPE)).toEqual(document);
  });

  it('refuses what holds no JSON document, saying why', () => {
    const cases: Array<[Buffer | string, string, string]> = [
      ['', JSON_TYPE, 'Body is empty'],
      ['{"a":', JSON_TYPE, 'Body is not valid JSON'],
      [Buffer.from([0x7b, 0xff, 0x7d]), JSON_TYPE, 'Body is not valid UTF-8'],
      ['other=1', FORM_TYPE, 'Form body has no "payload" field'],
      ['payload=%7B', FORM_TYPE, 'Form field "payload" is not valid JSON'],
      ['payload=%7B%7D&payload=%5B%5D', FORM_TYPE, 'is given more than once'],
    ];
    for (const [body, contentType, reason] of cases) {
      const refused = refusal(() => payloadOf(body, contentType));
      expect(refused.code).toBe(ErrorCode.MalformedBody);
      expect(refused.message).toContain(reason);
    }
  });
});
