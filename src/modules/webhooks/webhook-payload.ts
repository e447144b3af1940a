import { AppError, ErrorCode } from '../../core/http/app-error';
import { bodyKindOf, parseFormBody, parseJsonBody } from '../../core/http/body-parsers';

/**
 * The JSON document a webhook body carries: the body itself, or for a form body (GitHub's
 * `application/x-www-form-urlencoded`) its `payload` field. The one reading of a webhook
 * body, at ingest (the raw bytes, after the signature check) and when a stored delivery is
 * processed (its text). Anything else is AppError MalformedBody, with a message that says why.
 */
export function payloadOf(body: Buffer | string, contentType: string): unknown {
  if (body.length === 0) {
    throw new AppError(ErrorCode.MalformedBody, 'Body is empty; send the webhook payload as JSON');
  }
  if (bodyKindOf(contentType) !== 'form') return parseJsonBody(body);
  const form = parseFormBody(body);
  if (typeof form.payload !== 'string') {
    throw new AppError(ErrorCode.MalformedBody, 'Form body has no "payload" field');
  }
  try {
    return JSON.parse(form.payload) as unknown;
  } catch {
    throw new AppError(ErrorCode.MalformedBody, 'Form field "payload" is not valid JSON');
  }
}
