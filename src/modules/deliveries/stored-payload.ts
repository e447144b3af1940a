import { messageOf } from '../../core/errors/message-of';
import { UnreadablePayloadError } from '../activity/domain-events';
import { payloadOf } from '../webhooks/webhook-payload';

/**
 * The JSON document a stored delivery body carries (see payloadOf). A body that cannot be
 * read now never will be: UnreadablePayloadError, which sends the delivery to `dead`.
 */
export function storedPayloadOf(text: string | null, contentType: string): unknown {
  if (text === null)
    throw new UnreadablePayloadError('the body is no longer stored (removed by retention)');
  try {
    return payloadOf(text, contentType);
  } catch (error) {
    throw new UnreadablePayloadError(messageOf(error));
  }
}
