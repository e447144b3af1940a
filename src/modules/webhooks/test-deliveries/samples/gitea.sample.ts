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

/** A `push` as Gitea (and Forgejo) sends it, signed with a bare hex X-Gitea-Signature. */
export const GITEA_SAMPLE: ForgeSample = {
  build(push) {
    const at = push.now.toISOString();
    const commit = {
      id: push.after,
      message: push.message,
      url: `https://gitea.example/${fullName}/commit/${push.after}`,
      author: { name: push.author.name, email: push.author.email, username: push.author.username },
      committer: {
        name: push.author.name,
        email: push.author.email,
        username: push.author.username,
      },
      timestamp: at,
      added: ['HOOKYARD_TEST_DELIVERY.md'],
      removed: [],
      modified: [],
    };
    const user = {
      login: push.author.username,
      full_name: push.author.name,
      email: push.author.email,
    };
    return {
      event: 'push',
      headers: {
        'content-type': 'application/json',
        'x-gitea-event': 'push',
        'x-gitea-event-type': 'push',
        'x-gitea-delivery': push.deliveryId,
      },
      body: jsonBody({
        ref: `refs/heads/${SAMPLE_BRANCH}`,
        before: push.before,
        after: push.after,
        commits: [commit],
        total_commits: 1,
        head_commit: commit,
        repository: {
          id: SAMPLE_REPOSITORY.externalId,
          name: SAMPLE_REPOSITORY.name,
          full_name: fullName,
          html_url: `https://gitea.example/${fullName}`,
          private: true,
          default_branch: SAMPLE_REPOSITORY.defaultBranch,
          updated_at: at,
        },
        pusher: user,
        sender: user,
      }),
    };
  },
  sign(request, _push, secrets) {
    const secret = firstSecret(secrets.hmac);
    if (secret === undefined) return { problem: NO_HMAC_SECRET };
    return { headers: { 'x-gitea-signature': hmacHex(secret, request.body) } };
  },
};
