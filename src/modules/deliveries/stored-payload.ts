import { messageOf } from '../../core/errors/message-of';
import { bodyKindOf } from '../../core/http/body-parsers';
import { UnreadablePayloadError } from '../activity/domain-events';

/**
 * The JSON document a stored delivery body carries: the body itself, or for a form body
 * (GitHub's `application/x-www-form-urlencoded`) its `payload` field. A body that cannot be
 * read now never will be: UnreadablePayloadError, which sends the delivery to `dead`.
 */
export function payloadOf(text: string | null, contentType: string): unknown {
  if (text === null)
    throw new UnreadablePayloadError('the body is no longer stored (removed by retention)');
  const json = bodyKindOf(contentType) === 'form' ? formPayloadOf(text) : text;
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new UnreadablePayloadError(`the body is not valid JSON: ${messageOf(error)}`);
  }
}

function formPayloadOf(text: string): string {
  const payload = new URLSearchParams(text).get('payload');
  if (payload === null) throw new UnreadablePayloadError('form body without a payload field');
  return payload;
}
