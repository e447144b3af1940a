import type { PushEvent } from '../../../activity/domain-events';
import { isZeroSha } from '../forge-readers';
import { omitUndefined } from '../payload-reader';
import { serverRepository, userAt, type ServerEnvelope } from './server-readers';

/**
 * `repo:refs_changed`: one push event per changed ref. Bitbucket Data Center names the old and
 * new heads but does not list the pushed commits.
 */
export function pushEvents({ root, raisedAt }: ServerEnvelope): PushEvent[] {
  const repository = serverRepository(root.requireObj('repository'));
  const pusher = userAt(root, 'actor');
  return root.objects('changes').map((change) => {
    const after = change.requireText('toHash');
    return omitUndefined({
      kind: 'push',
      repository,
      ref: change.text('refId') ?? change.requireObj('ref').requireText('id'),
      before: change.text('fromHash'),
      after,
      pusher,
      commits: [],
      deleted: change.text('type') === 'DELETE' || isZeroSha(after),
      occurredAt: raisedAt,
    });
  });
}
