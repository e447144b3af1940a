import {
  UnreadablePayloadError,
  type CiRunEvent,
  type CommentEvent,
  type IssueEvent,
  type PullRequestEvent,
  type PushEvent,
  type ReviewEvent,
} from '../../../activity/domain-events';
import { BitbucketAdapter } from './bitbucket.adapter';
import { normalizeBitbucket } from './normalize';

type Json = Record<string, unknown>;

const HEAD = 'a'.repeat(40);
const MIDDLE = 'c'.repeat(40);
const BASE = 'b'.repeat(40);
const REPO_UUID = '{11111111-2222-3333-4444-555555555555}';
const ADA_UUID = '{aaaaaaaa-0000-0000-0000-000000000001}';
const GRACE_UUID = '{aaaaaaaa-0000-0000-0000-000000000002}';

const repositoryPayload = {
  type: 'repository',
  uuid: REPO_UUID,
  full_name: 'acme/widgets',
  name: 'widgets',
  is_private: true,
  mainbranch: { type: 'branch', name: 'main' },
  links: { html: { href: 'https://bitbucket.org/acme/widgets' } },
};

const repository = {
  externalId: REPO_UUID,
  fullName: 'acme/widgets',
  name: 'widgets',
  defaultBranch: 'main',
  url: 'https://bitbucket.org/acme/widgets',
  private: true,
};

const adaPayload = {
  type: 'user',
  uuid: ADA_UUID,
  account_id: '557058:ada',
  nickname: 'ada',
  display_name: 'Ada Lovelace',
  links: { avatar: { href: 'https://avatar.example/ada.png' } },
};
const ada = {
  externalId: ADA_UUID,
  login: 'ada',
  name: 'Ada Lovelace',
  avatarUrl: 'https://avatar.example/ada.png',
  bot: false,
};

const gracePayload = { type: 'user', uuid: GRACE_UUID, nickname: 'grace', display_name: 'Grace' };
const grace = { externalId: GRACE_UUID, login: 'grace', name: 'Grace', bot: false };

function refState(type: string, name: string, hash: string, date: string): Json {
  return { type, name, target: { type: 'commit', hash, date } };
}

function pushPayload(changes: Json[]): Json {
  return { actor: adaPayload, repository: repositoryPayload, push: { changes } };
}

const branchChange = {
  new: refState('branch', 'main', HEAD, '2024-07-01T10:05:00+00:00'),
  old: refState('branch', 'main', BASE, '2024-06-30T09:00:00+00:00'),
  forced: false,
  commits: [
    {
      hash: HEAD,
      message: 'Fix parser\n',
      date: '2024-07-01T10:05:00+00:00',
      author: { type: 'author', raw: 'Ada Lovelace <ada@example.com>', user: adaPayload },
      links: { html: { href: `https://bitbucket.org/acme/widgets/commits/${HEAD}` } },
    },
    {
      hash: MIDDLE,
      message: 'Add parser',
      date: '2024-07-01T10:00:00+00:00',
      author: { type: 'author', raw: 'Someone Else <someone@example.com>' },
    },
  ],
};

function pullRequestObject(overrides: Json = {}): Json {
  return {
    id: 4,
    title: 'Faster parser',
    description: 'Makes it faster',
    state: 'OPEN',
    draft: false,
    author: gracePayload,
    source: {
      branch: { name: 'feature/parser' },
      commit: { hash: 'aaaaaaaaaaaa' },
      repository: repositoryPayload,
    },
    destination: {
      branch: { name: 'main' },
      commit: { hash: 'bbbbbbbbbbbb' },
      repository: repositoryPayload,
    },
    reviewers: [adaPayload],
    closed_by: null,
    created_on: '2024-07-02T08:00:00.123456+00:00',
    updated_on: '2024-07-02T09:00:00.654321+00:00',
    links: { html: { href: 'https://bitbucket.org/acme/widgets/pull-requests/4' } },
    ...overrides,
  };
}

function pullRequestPayload(pullRequest: Json = {}, extra: Json = {}): Json {
  return {
    actor: adaPayload,
    repository: repositoryPayload,
    pullrequest: pullRequestObject(pullRequest),
    ...extra,
  };
}

const pullRequest = {
  externalId: '4',
  number: 4,
  title: 'Faster parser',
  body: 'Makes it faster',
  state: 'open',
  draft: false,
  author: grace,
  headRef: 'feature/parser',
  baseRef: 'main',
  headSha: 'aaaaaaaaaaaa',
  url: 'https://bitbucket.org/acme/widgets/pull-requests/4',
  labels: [],
  createdAt: '2024-07-02T08:00:00.123456+00:00',
  updatedAt: '2024-07-02T09:00:00.654321+00:00',
  requestedReviewers: [ada],
};

const commentPayload = {
  id: 17,
  content: { raw: 'Why this?', html: '<p>Why this?</p>', markup: 'markdown' },
  user: gracePayload,
  inline: { path: 'src/parser.ts', from: null, to: 10 },
  created_on: '2024-07-02T10:00:00+00:00',
  updated_on: '2024-07-02T10:01:00+00:00',
  links: { html: { href: 'https://bitbucket.org/acme/widgets/pull-requests/4#comment-17' } },
};

function issueObject(overrides: Json = {}): Json {
  return {
    id: 8,
    title: 'Parser crashes',
    content: { raw: 'On empty input' },
    state: 'new',
    reporter: gracePayload,
    created_on: '2024-07-03T08:00:00+00:00',
    updated_on: '2024-07-03T09:00:00+00:00',
    links: { html: { href: 'https://bitbucket.org/acme/widgets/issues/8' } },
    ...overrides,
  };
}

function issuePayload(issue: Json = {}, extra: Json = {}): Json {
  return { actor: adaPayload, repository: repositoryPayload, issue: issueObject(issue), ...extra };
}

function commitStatusPayload(status: Json = {}): Json {
  return {
    actor: adaPayload,
    repository: repositoryPayload,
    commit_status: {
      key: 'ci-unit',
      name: 'Unit tests',
      state: 'SUCCESSFUL',
      refname: 'main',
      url: 'https://ci.example/builds/99',
      created_on: '2024-07-04T08:00:00+00:00',
      updated_on: '2024-07-04T08:07:00+00:00',
      commit: { hash: HEAD },
      ...status,
    },
  };
}

function only<T>(events: unknown[]): T {
  expect(events).toHaveLength(1);
  return events[0] as T;
}

describe('normalizeBitbucket', () => {
  describe('repo:push', () => {
    it('maps a branch update with its commits', () => {
      expect(only<PushEvent>(normalizeBitbucket('repo:push', pushPayload([branchChange])))).toEqual(
        {
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
              author: { ...ada, name: 'Ada Lovelace', email: 'ada@example.com' },
              timestamp: '2024-07-01T10:05:00+00:00',
              url: `https://bitbucket.org/acme/widgets/commits/${HEAD}`,
              added: [],
              modified: [],
              removed: [],
            },
            {
              sha: MIDDLE,
              message: 'Add parser',
              author: { name: 'Someone Else', email: 'someone@example.com' },
              timestamp: '2024-07-01T10:00:00+00:00',
              added: [],
              modified: [],
              removed: [],
            },
          ],
          deleted: false,
          forced: false,
          occurredAt: '2024-07-01T10:05:00+00:00',
        },
      );
    });

    it('makes one push per changed ref: a forced branch, a new tag and a deleted branch', () => {
      const events = normalizeBitbucket(
        'repo:push',
        pushPayload([
          { ...branchChange, forced: true },
          {
            new: refState('tag', 'v1.0.0', HEAD, '2024-07-01T10:05:00+00:00'),
            old: null,
            commits: [],
          },
          {
            new: null,
            old: refState('branch', 'old-feature', BASE, '2024-06-30T09:00:00+00:00'),
            commits: [],
          },
          {
            new: { type: 'bookmark', name: 'hg-only', target: { hash: HEAD } },
            old: null,
            commits: [],
          },
        ]),
      ) as PushEvent[];
      expect(events).toHaveLength(3);
      expect(events.map((push) => [push.ref, push.deleted, push.forced])).toEqual([
        ['refs/heads/main', false, true],
        ['refs/tags/v1.0.0', false, undefined],
        ['refs/heads/old-feature', true, undefined],
      ]);
      expect(events[1]).toMatchObject({ after: HEAD, occurredAt: '2024-07-01T10:05:00+00:00' });
      expect(events[1].before).toBeUndefined();
      expect(events[2]).toMatchObject({ before: BASE, occurredAt: '2024-06-30T09:00:00+00:00' });
      expect(events[2].after).toBeUndefined();
    });

    it('dates an undated commit by the pushed head and reads an author that is an account', () => {
      const change = {
        ...branchChange,
        commits: [{ hash: HEAD, message: 'Fix', author: gracePayload }],
      };
      const [commit] = only<PushEvent>(
        normalizeBitbucket('repo:push', pushPayload([change])),
      ).commits;
      expect(commit.timestamp).toBe('2024-07-01T10:05:00+00:00');
      expect(commit.author).toEqual(grace);
    });

    it('is empty for a push without changes', () => {
      expect(normalizeBitbucket('repo:push', pushPayload([]))).toEqual([]);
    });
  });

  describe('pull requests', () => {
    it('maps pullrequest:created', () => {
      expect(
        only<PullRequestEvent>(normalizeBitbucket('pullrequest:created', pullRequestPayload())),
      ).toEqual({
        kind: 'pull_request',
        repository,
        action: 'opened',
        actor: ada,
        pullRequest,
        occurredAt: '2024-07-02T09:00:00.654321+00:00',
      });
    });

    it('maps pullrequest:updated of a draft as edited', () => {
      const event = only<PullRequestEvent>(
        normalizeBitbucket('pullrequest:updated', pullRequestPayload({ draft: true })),
      );
      expect(event.action).toBe('edited');
      expect(event.pullRequest).toMatchObject({ state: 'open', draft: true });
    });

    it('maps pullrequest:fulfilled as merged, by the closer, at updated_on', () => {
      const payload = pullRequestPayload({ state: 'MERGED', closed_by: adaPayload });
      const event = only<PullRequestEvent>(normalizeBitbucket('pullrequest:fulfilled', payload));
      expect(event.action).toBe('merged');
      expect(event.pullRequest).toEqual({
        ...pullRequest,
        state: 'merged',
        closedAt: '2024-07-02T09:00:00.654321+00:00',
        mergedAt: '2024-07-02T09:00:00.654321+00:00',
        mergedBy: ada,
      });
    });

    it('maps pullrequest:rejected as closed', () => {
      const payload = pullRequestPayload({ state: 'DECLINED', closed_by: adaPayload });
      const event = only<PullRequestEvent>(normalizeBitbucket('pullrequest:rejected', payload));
      expect(event.action).toBe('closed');
      expect(event.pullRequest).toMatchObject({
        state: 'closed',
        closedAt: '2024-07-02T09:00:00.654321+00:00',
      });
      expect(event.pullRequest.mergedAt).toBeUndefined();
    });

    it.each([
      ['OPEN', 'open'],
      ['MERGED', 'merged'],
      ['DECLINED', 'closed'],
      ['SUPERSEDED', 'closed'],
    ])('reads state %s on updates as %s', (state, expected) => {
      const event = only<PullRequestEvent>(
        normalizeBitbucket('pullrequest:updated', pullRequestPayload({ state })),
      );
      expect(event.pullRequest.state).toBe(expected);
    });
  });

  describe('reviews', () => {
    const approval = { date: '2024-07-02T11:00:00+00:00', user: adaPayload };

    it('maps pullrequest:approved to an approved review', () => {
      const payload = pullRequestPayload({}, { approval });
      expect(only<ReviewEvent>(normalizeBitbucket('pullrequest:approved', payload))).toEqual({
        kind: 'review',
        repository,
        pullRequest,
        review: {
          externalId: `${REPO_UUID}:4:${ADA_UUID}:approval`,
          state: 'approved',
          author: ada,
          submittedAt: '2024-07-02T11:00:00+00:00',
          commitSha: 'aaaaaaaaaaaa',
          url: 'https://bitbucket.org/acme/widgets/pull-requests/4',
        },
        occurredAt: '2024-07-02T11:00:00+00:00',
      });
    });

    it.each([
      ['pullrequest:unapproved', 'approval', 'dismissed'],
      ['pullrequest:changes_request_created', 'changes_request', 'changes_requested'],
      ['pullrequest:changes_request_removed', 'changes_request', 'dismissed'],
    ])('maps %s to a %s review that is %s', (event, key, state) => {
      const review = only<ReviewEvent>(
        normalizeBitbucket(event, pullRequestPayload({}, { [key]: approval })),
      );
      expect(review.review.state).toBe(state);
      expect(review.review.externalId).toBe(`${REPO_UUID}:4:${ADA_UUID}:${key}`);
    });
  });

  describe('comments', () => {
    it('maps an inline pull request comment', () => {
      const payload = pullRequestPayload({}, { comment: commentPayload });
      expect(
        only<CommentEvent>(normalizeBitbucket('pullrequest:comment_created', payload)),
      ).toEqual({
        kind: 'comment',
        repository,
        target: { type: 'pull_request', number: 4 },
        comment: {
          externalId: '17',
          body: 'Why this?',
          author: grace,
          createdAt: '2024-07-02T10:00:00+00:00',
          updatedAt: '2024-07-02T10:01:00+00:00',
          path: 'src/parser.ts',
          line: 10,
          url: 'https://bitbucket.org/acme/widgets/pull-requests/4#comment-17',
        },
        action: 'created',
        occurredAt: '2024-07-02T10:01:00+00:00',
      });
    });

    it.each([
      ['pullrequest:comment_updated', 'edited'],
      ['pullrequest:comment_deleted', 'deleted'],
    ])('maps %s to %s', (event, action) => {
      const payload = pullRequestPayload({}, { comment: commentPayload });
      expect(only<CommentEvent>(normalizeBitbucket(event, payload)).action).toBe(action);
    });

    it('maps an issue comment, taking the actor as author when comment.user is absent', () => {
      const { user: _user, inline: _inline, ...withoutUser } = commentPayload;
      const payload = issuePayload({}, { comment: withoutUser });
      const comment = only<CommentEvent>(normalizeBitbucket('issue:comment_created', payload));
      expect(comment.target).toEqual({ type: 'issue', number: 8 });
      expect(comment.comment.author).toEqual(ada);
      expect(comment.comment.path).toBeUndefined();
    });

    it('maps a commit comment', () => {
      const payload = {
        actor: adaPayload,
        repository: repositoryPayload,
        comment: commentPayload,
        commit: { hash: HEAD },
      };
      const comment = only<CommentEvent>(
        normalizeBitbucket('repo:commit_comment_created', payload),
      );
      expect(comment.target).toEqual({ type: 'commit', sha: HEAD });
    });
  });

  describe('issues', () => {
    it('maps issue:created', () => {
      expect(only<IssueEvent>(normalizeBitbucket('issue:created', issuePayload()))).toEqual({
        kind: 'issue',
        repository,
        action: 'opened',
        actor: ada,
        issue: {
          externalId: '8',
          number: 8,
          title: 'Parser crashes',
          body: 'On empty input',
          state: 'open',
          author: grace,
          labels: [],
          url: 'https://bitbucket.org/acme/widgets/issues/8',
          createdAt: '2024-07-03T08:00:00+00:00',
          updatedAt: '2024-07-03T09:00:00+00:00',
        },
        occurredAt: '2024-07-03T09:00:00+00:00',
      });
    });

    it.each([
      ['resolved', { state: { old: 'open', new: 'resolved' } }, 'closed', 'closed'],
      ['wontfix', { status: { old: 'new', new: 'wontfix' } }, 'closed', 'closed'],
      ['open', { state: { old: 'resolved', new: 'open' } }, 'open', 'reopened'],
      ['on hold', { state: { old: 'open', new: 'on hold' } }, 'open', 'edited'],
      ['new', { title: { old: 'a', new: 'b' } }, 'open', 'edited'],
    ])('maps issue:updated to state %s with %j', (state, changes, expectedState, action) => {
      const event = only<IssueEvent>(
        normalizeBitbucket('issue:updated', issuePayload({ state }, { changes })),
      );
      expect(event.issue.state).toBe(expectedState);
      expect(event.action).toBe(action);
    });
  });

  describe('commit statuses', () => {
    it('maps a successful commit status to a completed run', () => {
      expect(
        only<CiRunEvent>(normalizeBitbucket('repo:commit_status_updated', commitStatusPayload())),
      ).toEqual({
        kind: 'ci_run',
        repository,
        run: {
          externalId: `ci-unit@${HEAD}`,
          source: 'commit_status',
          name: 'Unit tests',
          status: 'completed',
          conclusion: 'success',
          headSha: HEAD,
          headBranch: 'main',
          url: 'https://ci.example/builds/99',
          actor: ada,
          pullRequestNumbers: [],
          createdAt: '2024-07-04T08:00:00+00:00',
          completedAt: '2024-07-04T08:07:00+00:00',
          updatedAt: '2024-07-04T08:07:00+00:00',
        },
        occurredAt: '2024-07-04T08:07:00+00:00',
      });
    });

    it.each([
      ['INPROGRESS', 'in_progress', undefined],
      ['SUCCESSFUL', 'completed', 'success'],
      ['FAILED', 'completed', 'failure'],
      ['STOPPED', 'completed', 'cancelled'],
    ])('maps state %s to %s / %s', (state, status, conclusion) => {
      const event = only<CiRunEvent>(
        normalizeBitbucket('repo:commit_status_created', commitStatusPayload({ state })),
      );
      expect(event.run.status).toBe(status);
      expect(event.run.conclusion).toBe(conclusion);
      expect(event.run.completedAt).toBe(
        status === 'completed' ? '2024-07-04T08:07:00+00:00' : undefined,
      );
    });

    it('reads the commit from the commit link when there is no commit object', () => {
      const payload = commitStatusPayload({
        commit: undefined,
        links: {
          commit: {
            href: `https://api.bitbucket.org/2.0/repositories/acme/widgets/commit/${MIDDLE}`,
          },
        },
      });
      const event = only<CiRunEvent>(normalizeBitbucket('repo:commit_status_created', payload));
      expect(event.run).toMatchObject({ headSha: MIDDLE, externalId: `ci-unit@${MIDDLE}` });
    });
  });

  it.each([
    'repo:fork',
    'repo:updated',
    'repo:transfer',
    'repo:imported',
    'pullrequest:comment_resolved',
    'pullrequest:comment_reopened',
    'diagnostics:ping',
    'project:updated',
  ])('ignores %s', (event) => {
    expect(normalizeBitbucket(event, { repository: repositoryPayload })).toEqual([]);
  });

  describe('unreadable payloads', () => {
    it.each([
      ['repo:push', null, /payload is not a JSON object/],
      ['repo:push', { repository: repositoryPayload }, /push is missing or not an object/],
      ['repo:push', { push: { changes: [] } }, /repository is missing/],
      [
        'repo:push',
        pushPayload([{ new: { name: 'main', target: { hash: HEAD } }, old: null }]),
        /push\.changes\[0\]\.new\.type/,
      ],
      [
        'repo:push',
        pushPayload([
          { new: { type: 'branch', name: 'x', target: {} }, commits: [{ hash: HEAD }] },
        ]),
        /commits\[0\]\.date is missing or not a timestamp/,
      ],
      ['pullrequest:created', pullRequestPayload({ id: 'four' }), /pullrequest\.id/],
      ['pullrequest:created', pullRequestPayload({ state: 'LIMBO' }), /state is not a known state/],
      ['pullrequest:created', pullRequestPayload({ source: {} }), /source\.branch/],
      ['pullrequest:approved', pullRequestPayload(), /approval is missing or not an object/],
      ['pullrequest:comment_created', pullRequestPayload(), /comment is missing/],
      ['issue:created', issuePayload({ state: 'pondering' }), /not a known issue state/],
      ['repo:commit_status_created', commitStatusPayload({ commit: undefined }), /names no commit/],
      [
        'repo:commit_status_created',
        commitStatusPayload({ state: 'MAYBE' }),
        /commit status state/,
      ],
    ])('rejects a %s payload (%#)', (event, payload, message) => {
      expect(() => normalizeBitbucket(event, payload)).toThrow(UnreadablePayloadError);
      expect(() => normalizeBitbucket(event, payload)).toThrow(message);
    });
  });

  it('is what BitbucketAdapter.normalize returns', () => {
    const payload = pushPayload([branchChange]);
    expect(new BitbucketAdapter().normalize('repo:push', payload)).toEqual(
      normalizeBitbucket('repo:push', payload),
    );
  });
});
