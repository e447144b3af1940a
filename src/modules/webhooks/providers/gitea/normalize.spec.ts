import {
  UnreadablePayloadError,
  type CommentEvent,
  type IssueEvent,
  type PullRequestEvent,
  type PushEvent,
  type ReleaseEvent,
  type ReviewEvent,
} from '../../../activity/domain-events';
import { EVENT_TIME_UNKNOWN } from '../forge-readers';
import { GiteaAdapter } from './gitea.adapter';
import { normalizeGitea } from './normalize';

type Json = Record<string, unknown>;

const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const ZERO = '0'.repeat(40);

const repositoryPayload = {
  id: 5,
  name: 'widgets',
  full_name: 'acme/widgets',
  private: false,
  html_url: 'https://gitea.example/acme/widgets',
  default_branch: 'main',
  updated_at: '2024-06-01T12:00:00+09:00',
};

const repository = {
  externalId: '5',
  fullName: 'acme/widgets',
  name: 'widgets',
  defaultBranch: 'main',
  url: 'https://gitea.example/acme/widgets',
  private: false,
};

const adaPayload = {
  id: 1,
  login: 'ada',
  full_name: 'Ada Lovelace',
  email: 'ada@example.com',
  avatar_url: 'https://gitea.example/avatars/1',
  username: 'ada',
};
const ada = {
  externalId: '1',
  login: 'ada',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  avatarUrl: 'https://gitea.example/avatars/1',
};

// Gitea sends an empty full_name when the user has none.
const gracePayload = { id: 2, login: 'grace', full_name: '', email: 'grace@example.com' };
const grace = { externalId: '2', login: 'grace', email: 'grace@example.com' };

function pushPayload(overrides: Json = {}): Json {
  const commit = {
    id: HEAD,
    message: 'Fix parser\n',
    url: `https://gitea.example/acme/widgets/commit/${HEAD}`,
    author: { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada' },
    committer: { name: 'Gitea', email: 'noreply@gitea.example', username: '' },
    timestamp: '2024-06-01T11:59:00+09:00',
    added: ['a.ts'],
    removed: ['b.ts'],
    modified: ['c.ts'],
  };
  return {
    ref: 'refs/heads/main',
    before: BASE,
    after: HEAD,
    commits: [commit],
    head_commit: commit,
    repository: repositoryPayload,
    pusher: adaPayload,
    sender: adaPayload,
    ...overrides,
  };
}

function pullRequestObject(overrides: Json = {}): Json {
  return {
    id: 77,
    number: 3,
    user: gracePayload,
    title: 'Faster parser',
    body: 'Makes it faster',
    labels: [{ id: 1, name: 'perf' }],
    state: 'open',
    html_url: 'https://gitea.example/acme/widgets/pulls/3',
    merged: false,
    merged_at: null,
    merged_by: null,
    base: { ref: 'main', sha: BASE },
    head: { ref: 'feature/parser', sha: HEAD },
    created_at: '2024-06-02T10:00:00+09:00',
    updated_at: '2024-06-02T11:00:00+09:00',
    closed_at: null,
    ...overrides,
  };
}

function pullRequestPayload(action: string, pullRequest: Json = {}, extra: Json = {}): Json {
  return {
    action,
    number: 3,
    pull_request: pullRequestObject(pullRequest),
    repository: repositoryPayload,
    sender: adaPayload,
    review: null,
    ...extra,
  };
}

function issuePayload(action: string, issue: Json = {}): Json {
  return {
    action,
    number: 9,
    issue: {
      id: 90,
      number: 9,
      user: gracePayload,
      title: 'Parser crashes',
      body: 'On empty input',
      labels: [{ name: 'bug' }],
      state: 'open',
      html_url: 'https://gitea.example/acme/widgets/issues/9',
      created_at: '2024-06-03T10:00:00+09:00',
      updated_at: '2024-06-03T10:30:00+09:00',
      closed_at: null,
      pull_request: null,
      ...issue,
    },
    repository: repositoryPayload,
    sender: adaPayload,
  };
}

function commentPayload(action: string, isPull: boolean): Json {
  return {
    action,
    issue: {
      id: 90,
      number: 9,
      title: 'Parser crashes',
      state: 'open',
      pull_request: isPull ? { merged: false } : null,
    },
    comment: {
      id: 600,
      html_url: 'https://gitea.example/acme/widgets/issues/9#issuecomment-600',
      user: adaPayload,
      body: 'Reproduced',
      created_at: '2024-06-03T11:00:00+09:00',
      updated_at: '2024-06-03T11:02:00+09:00',
    },
    repository: repositoryPayload,
    sender: adaPayload,
    is_pull: isPull,
  };
}

function releasePayload(action: string, release: Json = {}): Json {
  return {
    action,
    release: {
      id: 12,
      tag_name: 'v1.0.0',
      name: 'Widgets 1.0',
      body: 'First stable',
      html_url: 'https://gitea.example/acme/widgets/releases/tag/v1.0.0',
      draft: false,
      prerelease: true,
      created_at: '2024-06-04T09:00:00+09:00',
      published_at: '2024-06-04T09:30:00+09:00',
      author: adaPayload,
      ...release,
    },
    repository: repositoryPayload,
    sender: adaPayload,
  };
}

function only<T>(events: unknown[]): T {
  expect(events).toHaveLength(1);
  return events[0] as T;
}

describe('normalizeGitea', () => {
  describe('push', () => {
    it('maps the push, its pusher and commits', () => {
      expect(only<PushEvent>(normalizeGitea('push', pushPayload(), {}))).toEqual({
        kind: 'push',
        repository,
        ref: 'refs/heads/main',
        before: BASE,
        after: HEAD,
        pusher: ada,
        commits: [
          {
            sha: HEAD,
            message: 'Fix parser\n',
            author: { login: 'ada', name: 'Ada Lovelace', email: 'ada@example.com' },
            committer: { name: 'Gitea', email: 'noreply@gitea.example' },
            timestamp: '2024-06-01T11:59:00+09:00',
            url: `https://gitea.example/acme/widgets/commit/${HEAD}`,
            added: ['a.ts'],
            modified: ['c.ts'],
            removed: ['b.ts'],
          },
        ],
        deleted: false,
        occurredAt: '2024-06-01T11:59:00+09:00',
      });
    });

    it('marks a deletion and dates it by the repository update', () => {
      const payload = pushPayload({ after: ZERO, commits: [], head_commit: null });
      const push = only<PushEvent>(normalizeGitea('push', payload, {}));
      expect(push.deleted).toBe(true);
      expect(push.occurredAt).toBe('2024-06-01T12:00:00+09:00');
    });

    it('uses the unknown-time marker when nothing is dated', () => {
      const payload = pushPayload({
        after: ZERO,
        commits: [],
        head_commit: null,
        repository: { ...repositoryPayload, updated_at: undefined },
      });
      expect(only<PushEvent>(normalizeGitea('push', payload, {})).occurredAt).toBe(
        EVENT_TIME_UNKNOWN,
      );
    });

    it('is what GiteaAdapter.normalize returns, headers included', () => {
      const headers = { 'x-forgejo-event': 'push', 'x-forgejo-event-type': 'push' };
      expect(new GiteaAdapter().normalize('push', pushPayload(), headers)).toEqual(
        normalizeGitea('push', pushPayload(), headers),
      );
    });
  });

  describe('pull_request', () => {
    it('maps an opened pull request', () => {
      expect(
        only<PullRequestEvent>(normalizeGitea('pull_request', pullRequestPayload('opened'), {})),
      ).toEqual({
        kind: 'pull_request',
        repository,
        action: 'opened',
        actor: ada,
        pullRequest: {
          externalId: '77',
          number: 3,
          title: 'Faster parser',
          body: 'Makes it faster',
          state: 'open',
          draft: false,
          author: grace,
          headRef: 'feature/parser',
          baseRef: 'main',
          headSha: HEAD,
          url: 'https://gitea.example/acme/widgets/pulls/3',
          labels: ['perf'],
          createdAt: '2024-06-02T10:00:00+09:00',
          updatedAt: '2024-06-02T11:00:00+09:00',
        },
        occurredAt: '2024-06-02T11:00:00+09:00',
      });
    });

    it.each([
      ['edited', 'edited'],
      ['reopened', 'reopened'],
      ['synchronized', 'synchronize'],
      ['label_updated', 'labeled'],
      ['label_cleared', 'labeled'],
      ['review_requested', 'review_requested'],
      ['assigned', 'other'],
      ['milestoned', 'other'],
    ])('maps action %s to %s', (action, expected) => {
      const event = only<PullRequestEvent>(
        normalizeGitea('pull_request', pullRequestPayload(action), {}),
      );
      expect(event.action).toBe(expected);
      expect(event.pullRequest.state).toBe('open');
    });

    it('maps a merge: closed with merged=true', () => {
      const payload = pullRequestPayload('closed', {
        state: 'closed',
        merged: true,
        merged_at: '2024-06-02T12:00:00+09:00',
        closed_at: '2024-06-02T12:00:00+09:00',
        merged_by: adaPayload,
        additions: 10,
        deletions: 2,
        changed_files: 3,
      });
      const event = only<PullRequestEvent>(normalizeGitea('pull_request', payload, {}));
      expect(event.action).toBe('merged');
      expect(event.pullRequest).toMatchObject({
        state: 'merged',
        mergedAt: '2024-06-02T12:00:00+09:00',
        closedAt: '2024-06-02T12:00:00+09:00',
        mergedBy: ada,
        additions: 10,
        deletions: 2,
        changedFiles: 3,
      });
    });

    it('maps a close without merge', () => {
      const payload = pullRequestPayload('closed', {
        state: 'closed',
        closed_at: '2024-06-02T12:00:00+09:00',
      });
      const event = only<PullRequestEvent>(normalizeGitea('pull_request', payload, {}));
      expect(event.action).toBe('closed');
      expect(event.pullRequest.state).toBe('closed');
      expect(event.pullRequest.mergedAt).toBeUndefined();
    });

    it.each([
      ['WIP: parser', undefined, true],
      ['[WIP] parser', undefined, true],
      ['Draft: parser', undefined, true],
      ['parser WIP:', undefined, false],
      ['parser', true, true],
      ['WIP: parser', false, false],
    ])('reads draft from title %j and flag %j', (title, draft, expected) => {
      const payload = pullRequestPayload('edited', { title, draft });
      const event = only<PullRequestEvent>(normalizeGitea('pull_request', payload, {}));
      expect(event.pullRequest.draft).toBe(expected);
    });

    it('lists requested reviewers when Gitea sends them', () => {
      const payload = pullRequestPayload('review_requested', {
        requested_reviewers: [adaPayload],
      });
      const event = only<PullRequestEvent>(normalizeGitea('pull_request', payload, {}));
      expect(event.pullRequest.requestedReviewers).toEqual([ada]);
    });
  });

  describe('reviews', () => {
    const approved = (): Json =>
      pullRequestPayload(
        'reviewed',
        {},
        { review: { type: 'pull_request_review_approved', content: 'LGTM' } },
      );

    it('maps pull_request_approved to an approved review with a derived id', () => {
      expect(only<ReviewEvent>(normalizeGitea('pull_request_approved', approved(), {}))).toEqual({
        kind: 'review',
        repository,
        pullRequest: expect.objectContaining({ externalId: '77', number: 3, headSha: HEAD }),
        review: {
          externalId: '77:approved:1:2024-06-02T11:00:00+09:00',
          state: 'approved',
          body: 'LGTM',
          author: ada,
          submittedAt: '2024-06-02T11:00:00+09:00',
          commitSha: HEAD,
          url: 'https://gitea.example/acme/widgets/pulls/3',
        },
        occurredAt: '2024-06-02T11:00:00+09:00',
      });
    });

    it.each([
      ['pull_request_approved', {}, 'approved'],
      ['pull_request_rejected', {}, 'changes_requested'],
      ['pull_request_comment', {}, 'commented'],
      ['pull_request_review_approved', {}, 'approved'],
      [
        'pull_request_approved',
        { 'x-gitea-event-type': 'pull_request_review_approved' },
        'approved',
      ],
      [
        'pull_request_rejected',
        { 'x-forgejo-event-type': 'pull_request_review_rejected' },
        'changes_requested',
      ],
      ['pull_request', { 'x-gitea-event-type': 'pull_request_review_comment' }, 'commented'],
    ])('maps event %s with headers %j to %s', (event, headers, state) => {
      const review = only<ReviewEvent>(normalizeGitea(event, approved(), headers));
      expect(review.kind).toBe('review');
      expect(review.review.state).toBe(state);
    });

    it('reads old Gitea reviews sent as pull_request with action reviewed', () => {
      const payload = pullRequestPayload(
        'reviewed',
        {},
        { review: { type: 'pull_request_review_rejected', content: 'Needs tests' } },
      );
      const review = only<ReviewEvent>(normalizeGitea('pull_request', payload, {}));
      expect(review.review).toMatchObject({ state: 'changes_requested', body: 'Needs tests' });
      // The same review in the new shape gets the same id.
      const same = only<ReviewEvent>(normalizeGitea('pull_request_rejected', payload, {}));
      expect(review.review.externalId).toBe(same.review.externalId);
    });

    it('uses the review id when the payload has one', () => {
      const payload = pullRequestPayload(
        'reviewed',
        {},
        { review: { id: 4711, type: 'x', content: '' } },
      );
      const review = only<ReviewEvent>(normalizeGitea('pull_request_approved', payload, {}));
      expect(review.review.externalId).toBe('4711');
      expect(review.review.body).toBeUndefined();
    });
  });

  describe('issues', () => {
    it('maps an opened issue', () => {
      expect(only<IssueEvent>(normalizeGitea('issues', issuePayload('opened'), {}))).toEqual({
        kind: 'issue',
        repository,
        action: 'opened',
        actor: ada,
        issue: {
          externalId: '90',
          number: 9,
          title: 'Parser crashes',
          body: 'On empty input',
          state: 'open',
          author: grace,
          labels: ['bug'],
          url: 'https://gitea.example/acme/widgets/issues/9',
          createdAt: '2024-06-03T10:00:00+09:00',
          updatedAt: '2024-06-03T10:30:00+09:00',
        },
        occurredAt: '2024-06-03T10:30:00+09:00',
      });
    });

    it.each([
      ['closed', 'closed', 'closed'],
      ['reopened', 'open', 'reopened'],
      ['edited', 'open', 'edited'],
      ['label_updated', 'open', 'labeled'],
      ['assigned', 'open', 'other'],
    ])('maps action %s (state %s) to %s', (action, state, expected) => {
      const closedAt = state === 'closed' ? '2024-06-03T10:30:00+09:00' : null;
      const event = only<IssueEvent>(
        normalizeGitea('issues', issuePayload(action, { state, closed_at: closedAt }), {}),
      );
      expect(event.action).toBe(expected);
      expect(event.issue.state).toBe(state);
      expect(event.issue.closedAt).toBe(closedAt ?? undefined);
    });

    it('leaves pull requests seen as issues to the pull_request events', () => {
      const payload = issuePayload('edited', { pull_request: { merged: false } });
      expect(normalizeGitea('issues', payload, {})).toEqual([]);
    });
  });

  describe('issue_comment', () => {
    it('maps a comment on an issue', () => {
      expect(
        only<CommentEvent>(normalizeGitea('issue_comment', commentPayload('created', false), {})),
      ).toEqual({
        kind: 'comment',
        repository,
        target: { type: 'issue', number: 9 },
        comment: {
          externalId: '600',
          body: 'Reproduced',
          author: ada,
          createdAt: '2024-06-03T11:00:00+09:00',
          updatedAt: '2024-06-03T11:02:00+09:00',
          url: 'https://gitea.example/acme/widgets/issues/9#issuecomment-600',
        },
        action: 'created',
        occurredAt: '2024-06-03T11:02:00+09:00',
      });
    });

    it('maps a comment on a pull request (event type pull_request_comment) as a comment', () => {
      const comment = only<CommentEvent>(
        normalizeGitea('issue_comment', commentPayload('edited', true), {
          'x-gitea-event-type': 'pull_request_comment',
        }),
      );
      expect(comment.kind).toBe('comment');
      expect(comment.target).toEqual({ type: 'pull_request', number: 9 });
      expect(comment.action).toBe('edited');
    });

    it('maps deletions and ignores unknown actions', () => {
      expect(
        only<CommentEvent>(normalizeGitea('issue_comment', commentPayload('deleted', false), {}))
          .action,
      ).toBe('deleted');
      expect(normalizeGitea('issue_comment', commentPayload('pinned', false), {})).toEqual([]);
    });
  });

  describe('release', () => {
    it('maps a published release', () => {
      expect(
        only<ReleaseEvent>(normalizeGitea('release', releasePayload('published'), {})),
      ).toEqual({
        kind: 'release',
        repository,
        action: 'published',
        release: {
          externalId: '12',
          tagName: 'v1.0.0',
          name: 'Widgets 1.0',
          body: 'First stable',
          draft: false,
          prerelease: true,
          author: ada,
          url: 'https://gitea.example/acme/widgets/releases/tag/v1.0.0',
          createdAt: '2024-06-04T09:00:00+09:00',
          publishedAt: '2024-06-04T09:30:00+09:00',
          updatedAt: '2024-06-04T09:30:00+09:00',
        },
        occurredAt: '2024-06-04T09:30:00+09:00',
      });
    });

    it.each([
      ['updated', 'edited'],
      ['deleted', 'deleted'],
      ['whatever', 'other'],
    ])('maps action %s to %s', (action, expected) => {
      expect(only<ReleaseEvent>(normalizeGitea('release', releasePayload(action), {})).action).toBe(
        expected,
      );
    });
  });

  it.each(['create', 'delete', 'fork', 'repository', 'wiki', 'package', 'status', 'ping'])(
    'ignores %s',
    (event) => {
      expect(normalizeGitea(event, { repository: repositoryPayload }, {})).toEqual([]);
    },
  );

  describe('unreadable payloads', () => {
    it.each([
      ['push', [], /payload is not a JSON object/],
      ['push', pushPayload({ repository: undefined }), /repository is missing or not an object/],
      ['push', pushPayload({ ref: '' }), /ref is missing/],
      [
        'push',
        pushPayload({ commits: [{ id: HEAD, message: 'x', timestamp: 'not a time' }] }),
        /commits\[0\]\.timestamp is missing or not a timestamp/,
      ],
      ['pull_request', pullRequestPayload('opened', { number: '3' }), /pull_request\.number/],
      [
        'pull_request',
        pullRequestPayload('opened', { state: 'draft' }),
        /state is not a known state/,
      ],
      ['pull_request', pullRequestPayload('opened', { head: null }), /pull_request\.head/],
      ['pull_request_approved', { repository: repositoryPayload }, /pull_request is missing/],
      ['issues', issuePayload('opened', { created_at: null }), /issue\.created_at/],
      [
        'issue_comment',
        { ...commentPayload('created', false), comment: null },
        /comment is missing/,
      ],
      ['release', releasePayload('published', { tag_name: null }), /release\.tag_name/],
    ])('rejects a %s payload (%#)', (event, payload, message) => {
      expect(() => normalizeGitea(event, payload, {})).toThrow(UnreadablePayloadError);
      expect(() => normalizeGitea(event, payload, {})).toThrow(message);
    });
  });
});
