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

/** A `push` as GitHub sends it, signed with X-Hub-Signature-256. */
export const GITHUB_SAMPLE: ForgeSample = {
  build(push) {
    const at = push.now.toISOString();
    const commit = {
      id: push.after,
      tree_id: push.after,
      distinct: true,
      message: push.message,
      timestamp: at,
      url: `https://github.com/${fullName}/commit/${push.after}`,
      author: push.author,
      committer: push.author,
      added: ['HOOKYARD_TEST_DELIVERY.md'],
      removed: [],
      modified: [],
    };
    const sender = { login: push.author.username, type: 'User' };
    return {
      event: 'push',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/hookyard-test',
        'x-github-event': 'push',
        'x-github-delivery': push.deliveryId,
      },
      body: jsonBody({
        ref: `refs/heads/${SAMPLE_BRANCH}`,
        before: push.before,
        after: push.after,
        created: false,
        deleted: false,
        forced: false,
        compare: `https://github.com/${fullName}/compare/${push.before.slice(0, 12)}...${push.after.slice(0, 12)}`,
        commits: [commit],
        head_commit: commit,
        repository: {
          id: SAMPLE_REPOSITORY.externalId,
          name: SAMPLE_REPOSITORY.name,
          full_name: fullName,
          private: true,
          html_url: `https://github.com/${fullName}`,
          default_branch: SAMPLE_REPOSITORY.defaultBranch,
          pushed_at: Math.floor(push.now.getTime() / 1000),
          owner: { login: SAMPLE_REPOSITORY.owner, type: 'Organization' },
        },
        pusher: { name: push.author.username, email: push.author.email },
        sender,
      }),
    };
  },
  sign(request, _push, secrets) {
    const secret = firstSecret(secrets.hmac);
    if (secret === undefined) return { problem: NO_HMAC_SECRET };
    return { headers: { 'x-hub-signature-256': `sha256=${hmacHex(secret, request.body)}` } };
  },
};
