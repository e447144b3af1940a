import {
  SAMPLE_BRANCH,
  SAMPLE_REPOSITORY,
  firstSecret,
  hmacHex,
  jsonBody,
  NO_HMAC_SECRET,
} from './sample-push';
import type { ForgeSample } from './sample-push';

const PROJECT_KEY = SAMPLE_REPOSITORY.owner.toUpperCase();

/** A `repo:refs_changed` as Bitbucket Data Center sends it, signed with X-Hub-Signature. */
export const BITBUCKET_SERVER_SAMPLE: ForgeSample = {
  build(push) {
    const ref = `refs/heads/${SAMPLE_BRANCH}`;
    return {
      event: 'repo:refs_changed',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Atlassian HttpClient/hookyard-test',
        'x-event-key': 'repo:refs_changed',
        'x-request-id': push.deliveryId,
      },
      body: jsonBody({
        eventKey: 'repo:refs_changed',
        // Bitbucket Data Center's own format: local time with a numeric offset.
        date: push.now.toISOString().replace('Z', '+0000'),
        actor: {
          name: push.author.username,
          emailAddress: push.author.email,
          displayName: push.author.name,
          slug: push.author.username,
          type: 'NORMAL',
        },
        repository: {
          slug: SAMPLE_REPOSITORY.name,
          id: SAMPLE_REPOSITORY.externalId,
          name: SAMPLE_REPOSITORY.name,
          public: false,
          project: { key: PROJECT_KEY, name: SAMPLE_REPOSITORY.owner, type: 'NORMAL' },
        },
        changes: [
          {
            ref: { id: ref, displayId: SAMPLE_BRANCH, type: 'BRANCH' },
            refId: ref,
            fromHash: push.before,
            toHash: push.after,
            type: 'UPDATE',
          },
        ],
      }),
    };
  },
  sign(request, _push, secrets) {
    const secret = firstSecret(secrets.hmac);
    if (secret === undefined) return { problem: NO_HMAC_SECRET };
    return { headers: { 'x-hub-signature': `sha256=${hmacHex(secret, request.body)}` } };
  },
};
