import {
  SAMPLE_BRANCH,
  SAMPLE_REPOSITORY,
  firstSecret,
  hmacHex,
  jsonBody,
  NO_HMAC_SECRET,
} from './sample-push';
import type { ForgeSample } from './sample-push';

const fullName = `${SAMPLE_REPOSITORY.owner}/${SAMPLE_REPOSITORY.name}`;
const html = (path: string) => ({ html: { href: `https://bitbucket.org/${path}` } });

/** A `repo:push` as Bitbucket Cloud sends it, signed with X-Hub-Signature (sha256=). */
export const BITBUCKET_SAMPLE: ForgeSample = {
  build(push) {
    const at = push.now.toISOString();
    const actor = { type: 'user', nickname: push.author.username, display_name: push.author.name };
    const target = (hash: string) => ({ type: 'commit', hash, date: at, message: push.message });
    return {
      event: 'repo:push',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Bitbucket-Webhooks/2.0',
        'x-event-key': 'repo:push',
        'x-request-uuid': push.deliveryId,
        'x-hook-uuid': push.deliveryId,
        'x-attempt-number': '1',
      },
      body: jsonBody({
        actor,
        repository: {
          type: 'repository',
          uuid: SAMPLE_REPOSITORY.externalId,
          full_name: fullName,
          name: SAMPLE_REPOSITORY.name,
          is_private: true,
          mainbranch: { type: 'branch', name: SAMPLE_REPOSITORY.defaultBranch },
          links: html(fullName),
        },
        push: {
          changes: [
            {
              old: { type: 'branch', name: SAMPLE_BRANCH, target: target(push.before) },
              new: { type: 'branch', name: SAMPLE_BRANCH, target: target(push.after) },
              created: false,
              closed: false,
              forced: false,
              truncated: false,
              commits: [
                {
                  type: 'commit',
                  hash: push.after,
                  date: at,
                  message: push.message,
                  author: { type: 'author', raw: `${push.author.name} <${push.author.email}>` },
                  links: html(`${fullName}/commits/${push.after}`),
                },
              ],
            },
          ],
        },
      }),
    };
  },
  sign(request, _push, secrets) {
    const secret = firstSecret(secrets.hmac);
    if (secret === undefined) return { problem: NO_HMAC_SECRET };
    return { headers: { 'x-hub-signature': `sha256=${hmacHex(secret, request.body)}` } };
  },
};
