import { createHmac } from 'node:crypto';
import { SAMPLE_BRANCH, SAMPLE_REPOSITORY, firstSecret, jsonBody } from './sample-push';
import type { ForgeSample, Signed } from './sample-push';

const path = `${SAMPLE_REPOSITORY.owner}/${SAMPLE_REPOSITORY.name}`;
const PRIVATE = 0;

/**
 * A `Push Hook` as GitLab sends it. Signed as GitLab >= 19 signs (Standard Webhooks) when the
 * source has a `whsec_` signing token, else with the X-Gitlab-Token of older GitLab.
 */
export const GITLAB_SAMPLE: ForgeSample = {
  build(push) {
    const project = {
      id: SAMPLE_REPOSITORY.externalId,
      name: SAMPLE_REPOSITORY.name,
      path_with_namespace: path,
      web_url: `https://gitlab.com/${path}`,
      default_branch: SAMPLE_REPOSITORY.defaultBranch,
      visibility_level: PRIVATE,
    };
    return {
      event: 'Push Hook',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitLab/hookyard-test',
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-event-uuid': push.deliveryId,
        'idempotency-key': push.deliveryId,
      },
      body: jsonBody({
        object_kind: 'push',
        event_name: 'push',
        before: push.before,
        after: push.after,
        ref: `refs/heads/${SAMPLE_BRANCH}`,
        user_username: push.author.username,
        user_name: push.author.name,
        user_email: push.author.email,
        project_id: SAMPLE_REPOSITORY.externalId,
        project,
        commits: [
          {
            id: push.after,
            message: push.message,
            title: push.message.split('\n')[0],
            timestamp: push.now.toISOString(),
            url: `https://gitlab.com/${path}/-/commit/${push.after}`,
            author: { name: push.author.name, email: push.author.email },
            added: ['HOOKYARD_TEST_DELIVERY.md'],
            modified: [],
            removed: [],
          },
        ],
        total_commits_count: 1,
        repository: {
          name: SAMPLE_REPOSITORY.name,
          homepage: `https://gitlab.com/${path}`,
        },
      }),
    };
  },
  sign(request, push, secrets): Signed {
    const signingKey = firstSecret(secrets.signing);
    if (signingKey !== undefined) {
      const timestamp = String(Math.floor(push.now.getTime() / 1000));
      const key = Buffer.from(signingKey.replace(/^whsec_/, ''), 'base64');
      const signed = Buffer.concat([
        Buffer.from(`${push.deliveryId}.${timestamp}.`, 'utf8'),
        request.body,
      ]);
      return {
        headers: {
          'webhook-id': push.deliveryId,
          'webhook-timestamp': timestamp,
          'webhook-signature': `v1,${createHmac('sha256', key).update(signed).digest('base64')}`,
        },
      };
    }
    const token = firstSecret(secrets.token);
    if (token !== undefined) return { headers: { 'x-gitlab-token': token } };
    return {
      problem:
        'this source has neither a webhook token nor a whsec_ signing token, so it cannot sign a test delivery (and refuses every real one): add one first',
    };
  },
};
