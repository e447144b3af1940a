import { SAMPLE_BRANCH, SAMPLE_REPOSITORY, firstSecret, jsonBody } from './sample-push';
import type { ForgeSample } from './sample-push';

const ORGANIZATION = 'https://dev.azure.com/hookyard';

/** A `git.push` service hook as Azure DevOps sends it, with its HTTP Basic credentials. */
export const AZURE_DEVOPS_SAMPLE: ForgeSample = {
  build(push) {
    const at = push.now.toISOString();
    const webUrl = `${ORGANIZATION}/${SAMPLE_REPOSITORY.owner}/_git/${SAMPLE_REPOSITORY.name}`;
    const pushedBy = {
      displayName: push.author.name,
      uniqueName: push.author.email,
    };
    const git = { name: push.author.name, email: push.author.email, date: at };
    return {
      event: 'git.push',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: jsonBody({
        // Azure DevOps names its event in the body; the delivery is subscription + event id.
        subscriptionId: 'hookyard-test-delivery',
        notificationId: 1,
        id: push.deliveryId,
        eventType: 'git.push',
        publisherId: 'tfs',
        createdDate: at,
        resource: {
          commits: [
            {
              commitId: push.after,
              author: git,
              committer: git,
              comment: push.message,
              url: `${webUrl}/commit/${push.after}`,
            },
          ],
          refUpdates: [
            {
              name: `refs/heads/${SAMPLE_BRANCH}`,
              oldObjectId: push.before,
              newObjectId: push.after,
            },
          ],
          repository: {
            id: SAMPLE_REPOSITORY.externalId,
            name: SAMPLE_REPOSITORY.name,
            webUrl,
            defaultBranch: `refs/heads/${SAMPLE_REPOSITORY.defaultBranch}`,
            project: { name: SAMPLE_REPOSITORY.owner },
          },
          pushedBy,
          date: at,
        },
      }),
    };
  },
  sign(_request, _push, secrets) {
    const credentials = firstSecret(secrets.basic);
    if (credentials === undefined) {
      return {
        problem:
          'this source has no service hook credentials (username:password), so it cannot sign a test delivery (and refuses every real one): add them first',
      };
    }
    return {
      headers: { authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` },
    };
  },
};
