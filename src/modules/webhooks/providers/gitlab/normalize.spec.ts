import {
  UnreadablePayloadError,
  type CiJobEvent,
  type CiRunEvent,
  type CommentEvent,
  type DeploymentEvent,
  type IssueEvent,
  type PullRequestEvent,
  type PushEvent,
  type ReleaseEvent,
  type ReviewEvent,
} from '../../../activity/domain-events';
import { EVENT_TIME_UNKNOWN } from '../forge-readers';
import { GitLabAdapter } from './gitlab.adapter';
import { normalizeGitLab } from './normalize';

type Json = Record<string, unknown>;

const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const ZERO = '0'.repeat(40);

const project = {
  id: 42,
  name: 'Widgets',
  web_url: 'https://gitlab.example/acme/tools/widgets',
  path_with_namespace: 'acme/tools/widgets',
  default_branch: 'main',
  visibility_level: 10,
};

const repository = {
  externalId: '42',
  fullName: 'acme/tools/widgets',
  name: 'Widgets',
  defaultBranch: 'main',
  url: 'https://gitlab.example/acme/tools/widgets',
  private: true,
};

const user = {
  id: 7,
  name: 'Ada Lovelace',
  username: 'ada',
  email: 'ada@example.com',
  avatar_url: 'https://gitlab.example/ada.png',
};

const ada = {
  externalId: '7',
  login: 'ada',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  avatarUrl: 'https://gitlab.example/ada.png',
};

function pushPayload(overrides: Json = {}): Json {
  return {
    object_kind: 'push',
    before: BASE,
    after: HEAD,
    ref: 'refs/heads/main',
    user_id: 7,
    user_name: 'Ada Lovelace',
    user_username: 'ada',
    user_email: 'ada@example.com',
    user_avatar: 'https://gitlab.example/ada.png',
    project,
    commits: [
      {
        id: 'c'.repeat(40),
        message: 'Add parser\n',
        timestamp: '2024-05-01T10:00:00+02:00',
        url: 'https://gitlab.example/acme/tools/widgets/-/commit/ccc',
        author: { name: 'Ada Lovelace', email: 'ada@example.com' },
        added: ['src/parser.ts'],
        modified: [],
        removed: [],
      },
      {
        id: HEAD,
        message: 'Fix parser',
        timestamp: '2024-05-01T11:30:00+02:00',
        url: 'https://gitlab.example/acme/tools/widgets/-/commit/aaa',
        author: { name: 'Grace Hopper', email: '[REDACTED]' },
        added: [],
        modified: ['src/parser.ts'],
        removed: ['old.ts'],
      },
    ],
    ...overrides,
  };
}

function mergeRequestPayload(attributes: Json = {}, extra: Json = {}): Json {
  return {
    object_kind: 'merge_request',
    user,
    project,
    object_attributes: {
      id: 9001,
      iid: 12,
      title: 'Faster parser',
      description: 'Makes it faster',
      state: 'opened',
      action: 'open',
      author_id: 7,
      source_branch: 'feature/parser',
      target_branch: 'main',
      draft: false,
      work_in_progress: false,
      created_at: '2024-05-02 08:00:00 UTC',
      updated_at: '2024-05-02 09:15:00 UTC',
      url: 'https://gitlab.example/acme/tools/widgets/-/merge_requests/12',
      last_commit: { id: HEAD },
      ...attributes,
    },
    labels: [{ id: 1, title: 'perf' }],
    reviewers: [{ id: 8, name: 'Grace Hopper', username: 'grace' }],
    ...extra,
  };
}

function notePayload(attributes: Json, extra: Json): Json {
  return {
    object_kind: 'note',
    user,
    project,
    object_attributes: {
      id: 555,
      note: 'Looks good',
      author_id: 7,
      created_at: '2024-05-03 10:00:00 UTC',
      updated_at: '2024-05-03 10:05:00 UTC',
      system: false,
      action: 'create',
      url: 'https://gitlab.example/acme/tools/widgets/-/merge_requests/12#note_555',
      ...attributes,
    },
    ...extra,
  };
}

function issuePayload(attributes: Json = {}, extra: Json = {}): Json {
  return {
    object_kind: 'issue',
    user,
    project,
    object_attributes: {
      id: 301,
      iid: 23,
      title: 'Parser crashes',
      description: 'On empty input',
      state: 'opened',
      action: 'open',
      author_id: 7,
      created_at: '2024-05-04T08:00:00Z',
      updated_at: '2024-05-04T09:00:00Z',
      url: 'https://gitlab.example/acme/tools/widgets/-/issues/23',
      ...attributes,
    },
    labels: [{ title: 'bug' }, { title: 'p1' }],
    ...extra,
  };
}

function pipelinePayload(attributes: Json = {}, extra: Json = {}): Json {
  return {
    object_kind: 'pipeline',
    object_attributes: {
      id: 31,
      iid: 3,
      name: 'Build and test',
      ref: 'refs/merge-requests/12/head',
      tag: false,
      sha: HEAD,
      source: 'merge_request_event',
      status: 'success',
      created_at: '2024-05-05 10:00:00 UTC',
      finished_at: '2024-05-05 10:20:00 UTC',
      url: 'https://gitlab.example/acme/tools/widgets/-/pipelines/31',
      ...attributes,
    },
    merge_request: { id: 9001, iid: 12, source_branch: 'feature/parser' },
    user,
    project,
    builds: [
      {
        id: 380,
        started_at: '2024-05-05 10:02:00 UTC',
        finished_at: '2024-05-05 10:10:00 UTC',
      },
      {
        id: 381,
        started_at: '2024-05-05 10:01:00 UTC',
        finished_at: '2024-05-05 10:19:00 UTC',
      },
    ],
    ...extra,
  };
}

function jobPayload(overrides: Json = {}): Json {
  return {
    object_kind: 'build',
    ref: 'main',
    tag: false,
    sha: HEAD,
    build_id: 1977,
    build_name: 'unit',
    build_stage: 'test',
    build_status: 'failed',
    build_created_at: '2024-05-05T10:00:00.000Z',
    build_started_at: '2024-05-05 10:01:00 UTC',
    build_finished_at: '2024-05-05 10:04:00 UTC',
    pipeline_id: 31,
    project_id: 42,
    user,
    project,
    runner: { id: 3, description: 'shared-runner-1' },
    ...overrides,
  };
}

function deploymentPayload(overrides: Json = {}): Json {
  return {
    object_kind: 'deployment',
    status: 'success',
    status_changed_at: '2024-05-06 12:00:00 +0200',
    deployment_id: 15,
    deployable_url: 'https://gitlab.example/acme/tools/widgets/-/jobs/796',
    environment: 'production',
    environment_external_url: 'https://widgets.example',
    project,
    short_sha: HEAD.slice(0, 8),
    user,
    commit_url: `https://gitlab.example/acme/tools/widgets/-/commit/${HEAD}`,
    ...overrides,
  };
}

function releasePayload(overrides: Json = {}): Json {
  return {
    object_kind: 'release',
    id: 4,
    created_at: '2024-05-07 09:00:00 UTC',
    released_at: '2024-05-07 09:00:00 UTC',
    description: 'First stable',
    name: 'Widgets 1.0',
    tag: 'v1.0.0',
    url: 'https://gitlab.example/acme/tools/widgets/-/releases/v1.0.0',
    action: 'create',
    project,
    ...overrides,
  };
}

function only<T>(events: unknown[]): T {
  expect(events).toHaveLength(1);
  return events[0] as T;
}

describe('normalizeGitLab', () => {
  describe('Push Hook', () => {
    it('maps the push, its pusher and every commit', () => {
      const push = only<PushEvent>(normalizeGitLab('Push Hook', pushPayload()));
      expect(push).toEqual({
        kind: 'push',
        repository,
        ref: 'refs/heads/main',
        before: BASE,
        after: HEAD,
        pusher: ada,
        commits: [
          {
            sha: 'c'.repeat(40),
            message: 'Add parser\n',
            author: { name: 'Ada Lovelace', email: 'ada@example.com' },
            timestamp: '2024-05-01T10:00:00+02:00',
            url: 'https://gitlab.example/acme/tools/widgets/-/commit/ccc',
            added: ['src/parser.ts'],
            modified: [],
            removed: [],
          },
          {
            sha: HEAD,
            message: 'Fix parser',
            // GitLab hides the address as [REDACTED]; that is no e-mail.
            author: { name: 'Grace Hopper' },
            timestamp: '2024-05-01T11:30:00+02:00',
            url: 'https://gitlab.example/acme/tools/widgets/-/commit/aaa',
            added: [],
            modified: ['src/parser.ts'],
            removed: ['old.ts'],
          },
        ],
        deleted: false,
        occurredAt: '2024-05-01T11:30:00+02:00',
      });
    });

    it('marks a branch deletion and dates it by the signed webhook-timestamp header', () => {
      const payload = pushPayload({ after: ZERO, commits: [] });
      const push = only<PushEvent>(
        normalizeGitLab('Push Hook', payload, { 'webhook-timestamp': '1714557600' }),
      );
      expect(push.deleted).toBe(true);
      expect(push.commits).toEqual([]);
      expect(push.occurredAt).toBe('2024-05-01T10:00:00.000Z');
    });

    it('falls back to the unknown-time marker when nothing in the delivery is dated', () => {
      const push = only<PushEvent>(
        normalizeGitLab('Push Hook', pushPayload({ after: ZERO, commits: [] })),
      );
      expect(push.occurredAt).toBe(EVENT_TIME_UNKNOWN);
    });

    it('reads the project id from project_id when project.id is missing (older GitLab)', () => {
      const { id: _id, ...projectWithoutId } = project;
      const push = only<PushEvent>(
        normalizeGitLab('Push Hook', pushPayload({ project: projectWithoutId, project_id: 42 })),
      );
      expect(push.repository.externalId).toBe('42');
    });

    it('maps a Tag Push Hook to a push of refs/tags/…', () => {
      const payload = pushPayload({
        object_kind: 'tag_push',
        ref: 'refs/tags/v1.0.0',
        before: ZERO,
        commits: [],
      });
      const push = only<PushEvent>(normalizeGitLab('Tag Push Hook', payload));
      expect(push).toMatchObject({ kind: 'push', ref: 'refs/tags/v1.0.0', deleted: false });
      expect(push.before).toBe(ZERO);
    });
  });

  describe('Merge Request Hook', () => {
    it('maps an opened merge request with the acting user as its author', () => {
      const event = only<PullRequestEvent>(
        normalizeGitLab('Merge Request Hook', mergeRequestPayload()),
      );
      expect(event).toEqual({
        kind: 'pull_request',
        repository,
        action: 'opened',
        actor: ada,
        pullRequest: {
          externalId: '9001',
          number: 12,
          title: 'Faster parser',
          body: 'Makes it faster',
          state: 'open',
          draft: false,
          author: ada,
          headRef: 'feature/parser',
          baseRef: 'main',
          headSha: HEAD,
          url: 'https://gitlab.example/acme/tools/widgets/-/merge_requests/12',
          labels: ['perf'],
          createdAt: '2024-05-02T08:00:00.000Z',
          updatedAt: '2024-05-02T09:15:00.000Z',
          requestedReviewers: [{ externalId: '8', login: 'grace', name: 'Grace Hopper' }],
        },
        occurredAt: '2024-05-02T09:15:00.000Z',
      });
    });

    it.each([
      [{ action: 'update', oldrev: BASE }, {}, 'synchronize'],
      [
        { action: 'update' },
        { changes: { draft: { previous: true, current: false } } },
        'ready_for_review',
      ],
      [
        { action: 'update' },
        { changes: { draft: { previous: false, current: true } } },
        'converted_to_draft',
      ],
      [{ action: 'update' }, { changes: { labels: { previous: [], current: [] } } }, 'labeled'],
      [
        { action: 'update' },
        { changes: { reviewer_ids: { previous: [], current: [8] } } },
        'review_requested',
      ],
      [{ action: 'update' }, { changes: { title: { previous: 'a', current: 'b' } } }, 'edited'],
      [{ action: 'reopen' }, {}, 'reopened'],
      [{ action: 'something_new' }, {}, 'other'],
    ])('maps action %j with %j to %s', (attributes, extra, expected) => {
      const event = only<PullRequestEvent>(
        normalizeGitLab('Merge Request Hook', mergeRequestPayload(attributes, extra)),
      );
      expect(event.action).toBe(expected);
      expect(event.pullRequest.state).toBe('open');
    });

    it('names the author only by author_id when someone else acted', () => {
      const event = only<PullRequestEvent>(
        normalizeGitLab(
          'Merge Request Hook',
          mergeRequestPayload({ action: 'update', author_id: 51 }),
        ),
      );
      expect(event.pullRequest.author).toEqual({ externalId: '51' });
      expect(event.actor).toEqual(ada);
    });

    it('maps a merge: state, merge time and merger from the merging delivery', () => {
      const event = only<PullRequestEvent>(
        normalizeGitLab(
          'Merge Request Hook',
          mergeRequestPayload({ action: 'merge', state: 'merged' }),
        ),
      );
      expect(event.action).toBe('merged');
      expect(event.pullRequest).toMatchObject({
        state: 'merged',
        mergedAt: '2024-05-02T09:15:00.000Z',
        closedAt: '2024-05-02T09:15:00.000Z',
        mergedBy: ada,
      });
    });

    it('keeps the merge commit of a merge (the squash commit when there is one)', () => {
      const merge = (extra: Json) =>
        only<PullRequestEvent>(
          normalizeGitLab(
            'Merge Request Hook',
            mergeRequestPayload({ action: 'merge', state: 'merged', ...extra }),
          ),
        ).pullRequest.mergeCommitSha;
      expect(merge({ merge_commit_sha: 'aaa111' })).toBe('aaa111');
      expect(merge({ merge_commit_sha: 'aaa111', squash_commit_sha: 'bbb222' })).toBe('bbb222');
      expect(merge({})).toBeUndefined();
    });

    it('does not restate merge time on later updates of a merged merge request', () => {
      const event = only<PullRequestEvent>(
        normalizeGitLab(
          'Merge Request Hook',
          mergeRequestPayload({ action: 'update', state: 'merged' }),
        ),
      );
      expect(event.pullRequest.state).toBe('merged');
      expect(event.pullRequest.mergedAt).toBeUndefined();
      expect(event.pullRequest.mergedBy).toBeUndefined();
    });

    it.each([
      ['close', 'closed', 'closed'],
      ['update', 'locked', 'edited'],
    ])('maps action %s with state %s to a closed merge request', (action, state, expected) => {
      const event = only<PullRequestEvent>(
        normalizeGitLab('Merge Request Hook', mergeRequestPayload({ action, state })),
      );
      expect(event.action).toBe(expected);
      expect(event.pullRequest.state).toBe('closed');
    });

    it('reads draft from work_in_progress on older GitLab', () => {
      const payload = mergeRequestPayload({ draft: undefined, work_in_progress: true });
      const event = only<PullRequestEvent>(normalizeGitLab('Merge Request Hook', payload));
      expect(event.pullRequest.draft).toBe(true);
    });

    it.each([
      ['approved', 'approved'],
      ['approval', 'approved'],
      ['unapproved', 'dismissed'],
      ['unapproval', 'dismissed'],
    ])('turns action %s into the pull request plus a %s review', (action, state) => {
      const events = normalizeGitLab('Merge Request Hook', mergeRequestPayload({ action }));
      expect(events).toHaveLength(2);
      const [pullRequestEvent, review] = events as [PullRequestEvent, ReviewEvent];
      expect(pullRequestEvent.action).toBe('other');
      expect(review).toEqual({
        kind: 'review',
        repository,
        pullRequest: pullRequestEvent.pullRequest,
        review: {
          externalId: '9001:7:approval',
          state,
          author: ada,
          submittedAt: '2024-05-02T09:15:00.000Z',
          commitSha: HEAD,
          url: 'https://gitlab.example/acme/tools/widgets/-/merge_requests/12',
        },
        occurredAt: '2024-05-02T09:15:00.000Z',
      });
    });
  });

  describe('Note Hook', () => {
    it('maps a merge request diff note with its file and line', () => {
      const payload = notePayload(
        {
          noteable_type: 'MergeRequest',
          position: { new_path: 'src/parser.ts', new_line: 14, old_line: null },
        },
        { merge_request: { id: 9001, iid: 12 } },
      );
      expect(only<CommentEvent>(normalizeGitLab('Note Hook', payload))).toEqual({
        kind: 'comment',
        repository,
        target: { type: 'pull_request', number: 12 },
        comment: {
          externalId: '555',
          body: 'Looks good',
          author: ada,
          createdAt: '2024-05-03T10:00:00.000Z',
          updatedAt: '2024-05-03T10:05:00.000Z',
          path: 'src/parser.ts',
          line: 14,
          url: 'https://gitlab.example/acme/tools/widgets/-/merge_requests/12#note_555',
        },
        action: 'created',
        occurredAt: '2024-05-03T10:05:00.000Z',
      });
    });

    it('maps an issue note, edited, also when confidential', () => {
      const payload = notePayload(
        { noteable_type: 'Issue', action: 'update' },
        { issue: { id: 301, iid: 23 } },
      );
      const comment = only<CommentEvent>(normalizeGitLab('Confidential Note Hook', payload));
      expect(comment.target).toEqual({ type: 'issue', number: 23 });
      expect(comment.action).toBe('edited');
    });

    it('maps a commit note to its commit sha and the old diff position', () => {
      const payload = notePayload(
        { noteable_type: 'Commit', commit_id: HEAD, st_diff: { new_path: 'README.md' } },
        { commit: { id: HEAD } },
      );
      const comment = only<CommentEvent>(normalizeGitLab('Note Hook', payload));
      expect(comment.target).toEqual({ type: 'commit', sha: HEAD });
      expect(comment.comment.path).toBe('README.md');
    });

    it('ignores snippet notes and system notes', () => {
      expect(
        normalizeGitLab('Note Hook', notePayload({ noteable_type: 'Snippet' }, { snippet: {} })),
      ).toEqual([]);
      const system = notePayload(
        { noteable_type: 'MergeRequest', system: true },
        { merge_request: { iid: 12 } },
      );
      expect(normalizeGitLab('Note Hook', system)).toEqual([]);
    });
  });

  describe('Issue Hook', () => {
    it('maps an opened issue', () => {
      expect(only<IssueEvent>(normalizeGitLab('Issue Hook', issuePayload()))).toEqual({
        kind: 'issue',
        repository,
        action: 'opened',
        actor: ada,
        issue: {
          externalId: '301',
          number: 23,
          title: 'Parser crashes',
          body: 'On empty input',
          state: 'open',
          author: ada,
          labels: ['bug', 'p1'],
          url: 'https://gitlab.example/acme/tools/widgets/-/issues/23',
          createdAt: '2024-05-04T08:00:00Z',
          updatedAt: '2024-05-04T09:00:00Z',
        },
        occurredAt: '2024-05-04T09:00:00Z',
      });
    });

    it('maps a closed confidential issue with its close time', () => {
      const payload = issuePayload({
        action: 'close',
        state: 'closed',
        closed_at: '2024-05-04 09:00:00 UTC',
      });
      const event = only<IssueEvent>(normalizeGitLab('Confidential Issue Hook', payload));
      expect(event.action).toBe('closed');
      expect(event.issue).toMatchObject({
        state: 'closed',
        closedAt: '2024-05-04T09:00:00.000Z',
        author: { externalId: '7' },
      });
    });

    it.each([
      ['reopen', {}, 'reopened'],
      ['update', { changes: { labels: { previous: [], current: [] } } }, 'labeled'],
      ['update', { changes: { title: {} } }, 'edited'],
    ])('maps action %s to %s', (action, extra, expected) => {
      const event = only<IssueEvent>(
        normalizeGitLab('Issue Hook', issuePayload({ action }, extra)),
      );
      expect(event.action).toBe(expected);
    });
  });

  describe('Pipeline Hook', () => {
    it('maps a finished merge request pipeline', () => {
      expect(only<CiRunEvent>(normalizeGitLab('Pipeline Hook', pipelinePayload()))).toEqual({
        kind: 'ci_run',
        repository,
        run: {
          externalId: '31',
          source: 'pipeline',
          name: 'Build and test',
          status: 'completed',
          conclusion: 'success',
          headSha: HEAD,
          headBranch: 'feature/parser',
          trigger: 'merge_request_event',
          runNumber: 3,
          url: 'https://gitlab.example/acme/tools/widgets/-/pipelines/31',
          actor: ada,
          pullRequestNumbers: [12],
          createdAt: '2024-05-05T10:00:00.000Z',
          startedAt: '2024-05-05T10:01:00.000Z',
          completedAt: '2024-05-05T10:20:00.000Z',
          updatedAt: '2024-05-05T10:20:00.000Z',
        },
        occurredAt: '2024-05-05T10:20:00.000Z',
      });
    });

    it.each([
      ['created', 'queued', undefined],
      ['waiting_for_resource', 'queued', undefined],
      ['preparing', 'queued', undefined],
      ['pending', 'queued', undefined],
      ['scheduled', 'queued', undefined],
      ['running', 'in_progress', undefined],
      ['success', 'completed', 'success'],
      ['failed', 'completed', 'failure'],
      ['canceled', 'completed', 'cancelled'],
      ['skipped', 'completed', 'skipped'],
      ['manual', 'completed', 'action_required'],
    ])('maps status %s to %s / %s', (status, expectedStatus, conclusion) => {
      const running = status === 'success' || status === 'failed' ? {} : { finished_at: null };
      const event = only<CiRunEvent>(
        normalizeGitLab('Pipeline Hook', pipelinePayload({ status, ...running })),
      );
      expect(event.run.status).toBe(expectedStatus);
      expect(event.run.conclusion).toBe(conclusion);
    });

    it('orders a running pipeline by its newest job change and has no completion time', () => {
      const event = only<CiRunEvent>(
        normalizeGitLab('Pipeline Hook', pipelinePayload({ status: 'running', finished_at: null })),
      );
      expect(event.run.completedAt).toBeUndefined();
      expect(event.run.updatedAt).toBe('2024-05-05T10:19:00.000Z');
    });

    it('has no branch for a tag pipeline', () => {
      const payload = pipelinePayload(
        { ref: 'v1.0.0', tag: true, source: 'push' },
        { merge_request: null },
      );
      const event = only<CiRunEvent>(normalizeGitLab('Pipeline Hook', payload));
      expect(event.run.headBranch).toBeUndefined();
      expect(event.run.pullRequestNumbers).toEqual([]);
    });
  });

  describe('Job Hook', () => {
    it('maps a failed job of a pipeline', () => {
      expect(only<CiJobEvent>(normalizeGitLab('Job Hook', jobPayload()))).toEqual({
        kind: 'ci_job',
        repository,
        job: {
          externalId: '1977',
          runExternalId: '31',
          source: 'pipeline',
          name: 'unit',
          status: 'completed',
          conclusion: 'failure',
          headSha: HEAD,
          headBranch: 'main',
          stage: 'test',
          runnerName: 'shared-runner-1',
          createdAt: '2024-05-05T10:00:00.000Z',
          startedAt: '2024-05-05T10:01:00.000Z',
          completedAt: '2024-05-05T10:04:00.000Z',
          updatedAt: '2024-05-05T10:04:00.000Z',
        },
        occurredAt: '2024-05-05T10:04:00.000Z',
      });
    });

    it('maps a queued job without start or finish', () => {
      const payload = jobPayload({
        build_status: 'pending',
        build_started_at: null,
        build_finished_at: null,
      });
      const event = only<CiJobEvent>(normalizeGitLab('Job Hook', payload));
      expect(event.job).toMatchObject({ status: 'queued', updatedAt: '2024-05-05T10:00:00.000Z' });
      expect(event.job.conclusion).toBeUndefined();
    });

    it('reads the repository from its homepage when the project object is missing', () => {
      const payload = jobPayload({
        project: undefined,
        repository: { name: 'widgets', homepage: 'https://gitlab.example/acme/tools/widgets' },
      });
      const event = only<CiJobEvent>(normalizeGitLab('Job Hook', payload));
      expect(event.repository).toEqual({
        externalId: '42',
        fullName: 'acme/tools/widgets',
        name: 'widgets',
        url: 'https://gitlab.example/acme/tools/widgets',
      });
    });
  });

  describe('Deployment Hook', () => {
    it('maps a deployment status with the full sha from the commit URL', () => {
      expect(
        only<DeploymentEvent>(normalizeGitLab('Deployment Hook', deploymentPayload())),
      ).toEqual({
        kind: 'deployment',
        repository,
        deployment: {
          externalId: '15',
          environment: 'production',
          sha: HEAD,
          creator: ada,
          url: 'https://gitlab.example/acme/tools/widgets/-/jobs/796',
          createdAt: '2024-05-06T10:00:00.000Z',
          updatedAt: '2024-05-06T10:00:00.000Z',
        },
        status: {
          state: 'success',
          url: 'https://widgets.example',
          createdAt: '2024-05-06T10:00:00.000Z',
        },
        occurredAt: '2024-05-06T10:00:00.000Z',
      });
    });

    it.each([
      ['created', 'pending'],
      ['running', 'in_progress'],
      ['success', 'success'],
      ['failed', 'failure'],
      ['canceled', 'cancelled'],
    ])('maps status %s to %s', (status, state) => {
      const event = only<DeploymentEvent>(
        normalizeGitLab('Deployment Hook', deploymentPayload({ status })),
      );
      expect(event.status?.state).toBe(state);
    });

    it.each([
      ['production', true],
      ['staging', false],
    ])('reads the environment tier %s as production = %s', (tier, production) => {
      const event = only<DeploymentEvent>(
        normalizeGitLab('Deployment Hook', deploymentPayload({ environment_tier: tier })),
      );
      expect(event.deployment.production).toBe(production);
    });

    it('keeps the short sha and the ref when the commit URL names no full sha', () => {
      const payload = deploymentPayload({ commit_url: undefined, ref: 'main' });
      const event = only<DeploymentEvent>(normalizeGitLab('Deployment Hook', payload));
      expect(event.deployment).toMatchObject({ sha: HEAD.slice(0, 8), ref: 'main' });
    });
  });

  describe('Release Hook', () => {
    it('maps a created release', () => {
      expect(only<ReleaseEvent>(normalizeGitLab('Release Hook', releasePayload()))).toEqual({
        kind: 'release',
        repository,
        action: 'created',
        release: {
          externalId: '4',
          tagName: 'v1.0.0',
          name: 'Widgets 1.0',
          body: 'First stable',
          draft: false,
          prerelease: false,
          url: 'https://gitlab.example/acme/tools/widgets/-/releases/v1.0.0',
          createdAt: '2024-05-07T09:00:00.000Z',
          publishedAt: '2024-05-07T09:00:00.000Z',
          updatedAt: '2024-05-07T09:00:00.000Z',
        },
        occurredAt: '2024-05-07T09:00:00.000Z',
      });
    });

    it.each([
      ['update', 'edited'],
      ['delete', 'deleted'],
      ['mystery', 'other'],
    ])('maps action %s to %s', (action, expected) => {
      const event = only<ReleaseEvent>(normalizeGitLab('Release Hook', releasePayload({ action })));
      expect(event.action).toBe(expected);
    });
  });

  it.each([
    'System Hook',
    'Wiki Page Hook',
    'Emoji Hook',
    'Member Hook',
    'Feature Flag Hook',
    'Project Hook',
    'Subgroup Hook',
    'Resource Access Token Hook',
    'Vulnerability Hook',
  ])('ignores %s', (event) => {
    expect(normalizeGitLab(event, { object_kind: 'anything', project })).toEqual([]);
  });

  describe('unreadable payloads', () => {
    it.each([
      ['Push Hook', 'not an object', /payload is not a JSON object/],
      ['Push Hook', pushPayload({ ref: undefined }), /Push Hook payload: ref is missing/],
      ['Push Hook', pushPayload({ project: undefined, project_id: undefined }), /project/],
      [
        'Merge Request Hook',
        mergeRequestPayload({ iid: 'twelve' }),
        /object_attributes\.iid is missing or not a whole number/,
      ],
      [
        'Merge Request Hook',
        mergeRequestPayload({ state: 'frozen' }),
        /state is not a known state/,
      ],
      ['Merge Request Hook', mergeRequestPayload({ updated_at: 'yesterday' }), /updated_at/],
      [
        'Note Hook',
        notePayload({ noteable_type: 'MergeRequest' }, {}),
        /merge_request is missing or not an object/,
      ],
      ['Issue Hook', issuePayload({ iid: null }), /object_attributes\.iid/],
      ['Pipeline Hook', pipelinePayload({ status: 'exploded' }), /status is not a known CI status/],
      ['Pipeline Hook', pipelinePayload({ sha: undefined }), /object_attributes\.sha/],
      [
        'Job Hook',
        jobPayload({ build_created_at: null, build_started_at: null, build_finished_at: null }),
        /has no build_created_at/,
      ],
      ['Deployment Hook', deploymentPayload({ status_changed_at: undefined }), /status_changed_at/],
      ['Deployment Hook', deploymentPayload({ status: 'teleported' }), /deployment status/],
      ['Release Hook', releasePayload({ tag: '' }), /tag is missing/],
    ])('rejects a %s payload (%#)', (event, payload, message) => {
      expect(() => normalizeGitLab(event, payload)).toThrow(UnreadablePayloadError);
      expect(() => normalizeGitLab(event, payload)).toThrow(message);
    });
  });

  it('is what GitLabAdapter.normalize returns, headers included', () => {
    const payload = pushPayload({ after: ZERO, commits: [] });
    const headers = { 'webhook-timestamp': '1714557600' };
    expect(new GitLabAdapter().normalize('Push Hook', payload, headers)).toEqual(
      normalizeGitLab('Push Hook', payload, headers),
    );
  });
});
