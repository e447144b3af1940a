import {
  azureBuild,
  azureDeploymentCompleted,
  azurePullRequest,
  azurePush,
  azureWorkItemCreated,
  azureWorkItemUpdated,
  type AzurePerson,
  type AzureProject,
  type AzureRepository,
  type AzureWorkItem,
} from '../../../../../test/fixtures/azure-devops/builders';
import type {
  CiRunEvent,
  DeploymentEvent,
  IssueEvent,
  PullRequestEvent,
  PushEvent,
  ReviewEvent,
} from '../../../activity/domain-events';
import { UnreadablePayloadError } from '../../../activity/domain-events';
import { normalizeAzureDevOps } from './normalize';

const PROJECT: AzureProject = {
  id: '3b1f5c8e-2d4a-4c6b-9e8f-1a2b3c4d5e6f',
  name: 'Platform',
  orgUrl: 'https://dev.azure.com/hookyard-test',
};
const REPOSITORY: AzureRepository = {
  id: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  name: 'api',
  project: PROJECT,
};
const ADA: AzurePerson = {
  id: '11111111-2222-4333-8444-555555555555',
  displayName: 'Ada Lovelace',
  uniqueName: 'ada@hookyard.test',
};
const BOB: AzurePerson = {
  id: '66666666-7777-4888-9999-aaaaaaaaaaaa',
  displayName: 'Bob Builder',
  uniqueName: 'bob@hookyard.test',
};
const TEAM: AzurePerson = {
  id: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff',
  displayName: '[Platform]\\Platform Team',
  uniqueName: 'vstfs:///Classification/TeamProject/3b1f5c8e\\Platform Team',
};
const SHA = ['1f'.repeat(20), '2e'.repeat(20), '3d'.repeat(20)];
const options = (id: string, createdDate = '2026-03-02T10:30:00Z') => ({
  id,
  subscriptionId: 'd0d0d0d0-1111-4222-8333-444444444444',
  createdDate,
});

describe('normalizeAzureDevOps', () => {
  describe('git.push', () => {
    const payload = azurePush(
      REPOSITORY,
      {
        pushId: 42,
        date: '2026-03-02T10:05:00.1234567Z',
        pushedBy: ADA,
        refUpdates: [{ name: 'refs/heads/main', oldObjectId: SHA[0], newObjectId: SHA[2] }],
        commits: [
          {
            sha: SHA[2],
            message: 'Second',
            author: { name: 'Ada', email: 'Ada@Example.com' },
            date: '2026-03-02T10:04:00Z',
          },
          {
            sha: SHA[1],
            message: 'First',
            author: { name: 'Bob', email: 'bob@example.com' },
            date: '2026-03-02T10:03:00Z',
          },
        ],
      },
      options('push-1'),
    );

    it('becomes one push of the ref with its commits, the repository named project/repository', () => {
      const [push, ...rest] = normalizeAzureDevOps('git.push', payload) as PushEvent[];
      expect(rest).toEqual([]);
      expect(push).toMatchObject({
        kind: 'push',
        repository: {
          externalId: REPOSITORY.id,
          fullName: 'Platform/api',
          name: 'api',
          defaultBranch: 'main',
          url: `${PROJECT.orgUrl}/Platform/_git/api`,
        },
        ref: 'refs/heads/main',
        before: SHA[0],
        after: SHA[2],
        deleted: false,
        pusher: { externalId: ADA.id, login: ADA.uniqueName, name: ADA.displayName },
        occurredAt: '2026-03-02T10:05:00.1234567Z',
      });
      expect(push.pusher?.email).toBeUndefined();
      expect(push.commits.map((c) => [c.sha, c.message, c.author.email, c.timestamp])).toEqual([
        [SHA[2], 'Second', 'Ada@Example.com', '2026-03-02T10:04:00Z'],
        [SHA[1], 'First', 'bob@example.com', '2026-03-02T10:03:00Z'],
      ]);
    });

    it('reads a branch deletion, with no commits', () => {
      const deletion = azurePush(
        REPOSITORY,
        {
          pushId: 43,
          date: '2026-03-02T11:00:00Z',
          pushedBy: ADA,
          refUpdates: [
            { name: 'refs/heads/old', oldObjectId: SHA[1], newObjectId: '0'.repeat(40) },
          ],
          commits: [],
        },
        options('push-2'),
      );
      expect(normalizeAzureDevOps('git.push', deletion)).toEqual([
        expect.objectContaining({ ref: 'refs/heads/old', deleted: true, commits: [] }),
      ]);
    });

    it('dies on a push without its repository', () => {
      const broken = {
        ...payload,
        resource: { ...(payload.resource as object), repository: null },
      };
      expect(() => normalizeAzureDevOps('git.push', broken)).toThrow(
        new UnreadablePayloadError(
          'Azure DevOps git.push payload: resource.repository is missing or not an object',
        ),
      );
    });
  });

  describe('pull requests', () => {
    const pullRequest = (
      status: 'active' | 'completed' | 'abandoned',
      votes: Array<[AzurePerson, 10 | 5 | 0 | -5 | -10]>,
    ) => ({
      id: 17,
      status,
      title: 'Add the thing',
      description: 'Adds it.',
      createdBy: ADA,
      closedBy: status === 'active' ? undefined : BOB,
      creationDate: '2026-03-02T10:10:00Z',
      closedDate: status === 'active' ? undefined : '2026-03-02T10:50:00Z',
      sourceBranch: 'feature/thing',
      targetBranch: 'main',
      headSha: SHA[2],
      reviewers: [
        ...votes.map(([person, vote]) => ({ person, vote })),
        { person: TEAM, vote: 10 as const, isContainer: true },
      ],
      labels: ['backend'],
    });

    it('created: an open pull request, opened by its author; no votes, no reviews', () => {
      const events = normalizeAzureDevOps(
        'git.pullrequest.created',
        azurePullRequest(
          'git.pullrequest.created',
          REPOSITORY,
          pullRequest('active', [[BOB, 0]]),
          options('pr-1', '2026-03-02T10:10:01Z'),
        ),
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        kind: 'pull_request',
        action: 'opened',
        actor: { externalId: ADA.id },
        pullRequest: {
          externalId: '17',
          number: 17,
          title: 'Add the thing',
          body: 'Adds it.',
          state: 'open',
          draft: false,
          headRef: 'feature/thing',
          baseRef: 'main',
          headSha: SHA[2],
          labels: ['backend'],
          url: `${PROJECT.orgUrl}/Platform/_git/api/pullrequest/17`,
          createdAt: '2026-03-02T10:10:00Z',
          updatedAt: '2026-03-02T10:10:01Z',
        },
      });
      const data = (events[0] as PullRequestEvent).pullRequest;
      expect(data.requestedReviewers?.map((r) => r.externalId)).toEqual([BOB.id, TEAM.id]);
      expect(data.closedAt).toBeUndefined();
    });

    it('updated with votes: one review per voter, teams left out, votes mapped', () => {
      const events = normalizeAzureDevOps(
        'git.pullrequest.updated',
        azurePullRequest(
          'git.pullrequest.updated',
          REPOSITORY,
          pullRequest('active', [
            [BOB, 10],
            [ADA, -5],
          ]),
          options('pr-2', '2026-03-02T10:20:00Z'),
        ),
      );
      expect(events.map((e) => e.kind)).toEqual(['pull_request', 'review', 'review']);
      expect(events[0]).toMatchObject({
        action: 'edited',
        pullRequest: { updatedAt: '2026-03-02T10:20:00Z' },
      });
      const reviews = events.slice(1) as ReviewEvent[];
      expect(reviews.map((r) => r.review)).toEqual([
        expect.objectContaining({
          externalId: `${REPOSITORY.id}:17:${BOB.id}:10`,
          state: 'approved',
          author: expect.objectContaining({ externalId: BOB.id }),
          submittedAt: '2026-03-02T10:20:00Z',
          commitSha: SHA[2],
        }),
        expect.objectContaining({
          externalId: `${REPOSITORY.id}:17:${ADA.id}:-5`,
          state: 'changes_requested',
          body: 'Waiting for author',
        }),
      ]);
    });

    it.each([
      ['git.pullrequest.updated', 'completed', 'merged', 'merged'],
      ['git.pullrequest.merged', 'completed', 'merged', 'merged'],
      ['git.pullrequest.updated', 'abandoned', 'closed', 'closed'],
      // "merged" is sent when a merge is attempted; the pull request may still be active.
      ['git.pullrequest.merged', 'active', 'other', 'open'],
    ] as const)('%s with status %s: action %s, state %s', (event, status, action, state) => {
      const [pr] = normalizeAzureDevOps(
        event,
        azurePullRequest(
          event,
          REPOSITORY,
          pullRequest(status, [[BOB, 5]]),
          options('pr-3', '2026-03-02T10:51:00Z'),
        ),
      ) as PullRequestEvent[];
      expect(pr).toMatchObject({ action, pullRequest: { state } });
      if (state === 'merged') {
        expect(pr.pullRequest).toMatchObject({
          mergedAt: '2026-03-02T10:50:00Z',
          closedAt: '2026-03-02T10:50:00Z',
          mergedBy: { externalId: BOB.id },
          updatedAt: '2026-03-02T10:51:00Z',
        });
      }
    });

    it('dies on an unknown status, naming it', () => {
      const payload = azurePullRequest(
        'git.pullrequest.updated',
        REPOSITORY,
        pullRequest('active', []),
        options('pr-4'),
      );
      (payload.resource as Record<string, unknown>).status = 'frozen';
      expect(() => normalizeAzureDevOps('git.pullrequest.updated', payload)).toThrow(
        'Azure DevOps git.pullrequest.updated payload: resource.status is not a known pull request status',
      );
    });
  });

  describe('build.complete', () => {
    const build = (
      result: 'succeeded' | 'failed' | 'partiallySucceeded' | 'canceled',
      extra: { pullRequestNumber?: number; repositoryType?: string } = {},
    ) =>
      azureBuild(
        REPOSITORY,
        {
          id: 311,
          buildNumber: '20260302.4',
          definition: { id: 12, name: 'api-ci' },
          result,
          sha: SHA[2],
          branch: 'main',
          reason: extra.pullRequestNumber === undefined ? 'individualCI' : 'pullRequest',
          queueTime: '2026-03-02T10:06:00Z',
          startTime: '2026-03-02T10:07:00Z',
          finishTime: '2026-03-02T10:12:00Z',
          requestedFor: ADA,
          ...extra,
        },
        options('build-1'),
      );

    it('becomes a completed pipeline run of the commit', () => {
      const [run] = normalizeAzureDevOps('build.complete', build('succeeded')) as CiRunEvent[];
      expect(run).toMatchObject({
        kind: 'ci_run',
        repository: { externalId: REPOSITORY.id, fullName: 'Platform/api', name: 'api' },
        run: {
          externalId: '311',
          source: 'pipeline',
          name: 'api-ci',
          status: 'completed',
          conclusion: 'success',
          headSha: SHA[2],
          headBranch: 'main',
          trigger: 'individualCI',
          url: `${PROJECT.orgUrl}/Platform/_build/results?buildId=311`,
          actor: { externalId: ADA.id },
          pullRequestNumbers: [],
          createdAt: '2026-03-02T10:06:00Z',
          startedAt: '2026-03-02T10:07:00Z',
          completedAt: '2026-03-02T10:12:00Z',
          updatedAt: '2026-03-02T10:12:00Z',
        },
      });
    });

    it.each([
      ['failed', 'failure'],
      ['partiallySucceeded', 'failure'],
      ['canceled', 'cancelled'],
    ] as const)('maps result %s to %s', (result, conclusion) => {
      const [run] = normalizeAzureDevOps('build.complete', build(result)) as CiRunEvent[];
      expect(run.run.conclusion).toBe(conclusion);
    });

    it('names the pull request of a pull request build', () => {
      const [run] = normalizeAzureDevOps(
        'build.complete',
        build('failed', { pullRequestNumber: 17 }),
      ) as CiRunEvent[];
      expect(run.run).toMatchObject({ trigger: 'pullRequest', pullRequestNumbers: [17] });
    });

    it('ignores builds of repositories outside Azure Repos', () => {
      expect(
        normalizeAzureDevOps('build.complete', build('succeeded', { repositoryType: 'GitHub' })),
      ).toEqual([]);
    });
  });

  describe('ms.vss-release.deployment-completed-event', () => {
    const deployment = (
      status: 'succeeded' | 'failed' | 'partiallySucceeded' | 'rejected' | 'canceled',
    ) =>
      azureDeploymentCompleted(
        REPOSITORY,
        {
          releaseId: 8,
          releaseName: 'Release-8',
          environment: { id: 21, name: 'production' },
          deploymentId: 55,
          attempt: 1,
          status,
          sha: SHA[2],
          branch: 'main',
          requestedFor: BOB,
          queuedOn: '2026-03-02T10:20:00Z',
          completedOn: '2026-03-02T10:25:00Z',
        },
        options('deploy-1', '2026-03-02T10:25:01Z'),
      );

    it('becomes a deployment of the primary artifact commit, with its status', () => {
      const [event] = normalizeAzureDevOps(
        'ms.vss-release.deployment-completed-event',
        deployment('succeeded'),
      ) as DeploymentEvent[];
      expect(event).toMatchObject({
        kind: 'deployment',
        repository: { externalId: REPOSITORY.id, fullName: 'Platform/api' },
        deployment: {
          externalId: '8:21:55',
          environment: 'production',
          ref: 'main',
          sha: SHA[2],
          creator: { externalId: BOB.id },
          url: `${PROJECT.orgUrl}/Platform/_release?releaseId=8`,
          createdAt: '2026-03-02T10:20:00Z',
          updatedAt: '2026-03-02T10:25:00Z',
        },
        status: { externalId: '55', state: 'success', createdAt: '2026-03-02T10:25:00Z' },
        occurredAt: '2026-03-02T10:25:00Z',
      });
    });

    it.each([
      ['failed', 'failure'],
      ['partiallySucceeded', 'failure'],
      ['rejected', 'failure'],
      ['canceled', 'cancelled'],
    ] as const)('maps %s to %s', (status, state) => {
      const [event] = normalizeAzureDevOps(
        'ms.vss-release.deployment-completed-event',
        deployment(status),
      ) as DeploymentEvent[];
      expect(event.status?.state).toBe(state);
    });

    it('ignores a release whose artifact is not a build of a Git commit', () => {
      const payload = deployment('succeeded');
      const resource = payload.resource as { release: { artifacts: unknown[] } };
      resource.release.artifacts = [
        { type: 'Build', isPrimary: true, definitionReference: { definition: { id: '1' } } },
      ];
      expect(normalizeAzureDevOps('ms.vss-release.deployment-completed-event', payload)).toEqual(
        [],
      );
    });
  });

  describe('work items', () => {
    const item = (
      state: string,
      changedDate: string,
      extra: Partial<AzureWorkItem> = {},
    ): AzureWorkItem => ({
      id: 901,
      rev: 1,
      type: 'Bug',
      title: 'Login fails',
      description: '<div>It fails.</div>',
      state,
      tags: 'auth; regression',
      createdBy: ADA,
      createdDate: '2026-03-02T09:00:00Z',
      changedBy: ADA,
      changedDate,
      ...extra,
    });

    it('workitem.created: an open issue under the project', () => {
      const [event] = normalizeAzureDevOps(
        'workitem.created',
        azureWorkItemCreated(PROJECT, item('New', '2026-03-02T09:00:00Z'), options('wi-1')),
      ) as IssueEvent[];
      expect(event).toMatchObject({
        kind: 'issue',
        repository: { externalId: PROJECT.id, fullName: 'Platform', name: 'Platform' },
        action: 'opened',
        actor: { externalId: ADA.id },
        issue: {
          externalId: '901',
          number: 901,
          title: 'Login fails',
          body: '<div>It fails.</div>',
          state: 'open',
          author: { externalId: ADA.id },
          labels: ['auth', 'regression'],
          url: `${PROJECT.orgUrl}/Platform/_workitems/edit/901`,
          createdAt: '2026-03-02T09:00:00Z',
          updatedAt: '2026-03-02T09:00:00Z',
        },
      });
    });

    it.each([
      ['Active', 'Resolved', 'closed', 'closed'],
      ['Resolved', 'Closed', 'edited', 'closed'],
      ['Done', 'To Do', 'reopened', 'open'],
      [undefined, 'Active', 'edited', 'open'],
    ] as const)(
      'workitem.updated from %s to %s: %s, %s',
      (previousState, state, action, issueState) => {
        const payload = azureWorkItemUpdated(
          PROJECT,
          item(state, '2026-03-02T11:00:00Z', {
            rev: 4,
            changedBy: BOB,
            closedDate: issueState === 'closed' ? '2026-03-02T11:00:00Z' : undefined,
          }),
          { previousState },
          options('wi-2'),
        );
        const [event] = normalizeAzureDevOps('workitem.updated', payload) as IssueEvent[];
        expect(event).toMatchObject({
          action,
          actor: { externalId: BOB.id },
          issue: { number: 901, state: issueState, updatedAt: '2026-03-02T11:00:00Z' },
        });
        expect(event.issue.closedAt).toBe(
          issueState === 'closed' ? '2026-03-02T11:00:00Z' : undefined,
        );
      },
    );

    it('reads creators written as "Name <email>" (older payloads)', () => {
      const payload = azureWorkItemCreated(
        PROJECT,
        item('New', '2026-03-02T09:00:00Z'),
        options('wi-3'),
      );
      const fields = (payload.resource as { fields: Record<string, unknown> }).fields;
      fields['System.CreatedBy'] = 'Ada Lovelace <ada@hookyard.test>';
      const [event] = normalizeAzureDevOps('workitem.created', payload) as IssueEvent[];
      expect(event.issue.author).toEqual({ name: 'Ada Lovelace', email: 'ada@hookyard.test' });
    });
  });

  it.each([
    'workitem.deleted',
    'workitem.commented',
    'ms.vss-code.git-pullrequest-comment-event',
    'tfvc.checkin',
  ])('%s is not modelled (ignored)', (event) => {
    expect(normalizeAzureDevOps(event, { id: 'x', eventType: event, resource: {} })).toEqual([]);
  });
});
