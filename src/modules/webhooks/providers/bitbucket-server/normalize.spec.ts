import {
  SERVER_PING,
  serverComment,
  serverDate,
  serverPullRequestEvent,
  serverRefsChanged,
  serverRepository,
  serverReviewerEvent,
  serverUser,
  type ServerPerson,
  type ServerPullRequest,
  type ServerRepository,
} from '../../../../../test/fixtures/bitbucket-server/builders';
import type {
  CommentEvent,
  PullRequestEvent,
  PushEvent,
  ReviewEvent,
} from '../../../activity/domain-events';
import { normalizeBitbucketServer } from './normalize';

const REPOSITORY: ServerRepository = {
  id: 1042,
  slug: 'api',
  name: 'API',
  projectKey: 'PLAT',
  projectId: 12,
  baseUrl: 'https://bitbucket.example.test',
};
const ADA: ServerPerson = {
  id: 301,
  name: 'ada',
  displayName: 'Ada Lovelace',
  emailAddress: 'ada@hookyard.test',
};
const BOB: ServerPerson = {
  id: 302,
  name: 'bob',
  displayName: 'Bob Builder',
  emailAddress: 'bob@hookyard.test',
};
const BOT: ServerPerson = {
  id: 303,
  name: 'ci-bot',
  displayName: 'CI',
  emailAddress: 'ci@hookyard.test',
  type: 'SERVICE',
};
const SHA = ['4c'.repeat(20), '5b'.repeat(20), '6a'.repeat(20)];
const T0 = Date.parse('2026-03-02T10:00:00Z');
const millis = (minute: number) => T0 + minute * 60_000;
const iso = (minute: number) => new Date(millis(minute)).toISOString();
const date = (minute: number) => serverDate(iso(minute));

function pullRequest(
  state: ServerPullRequest['state'],
  updatedMinute: number,
  extra: Partial<ServerPullRequest> = {},
): ServerPullRequest {
  return {
    id: 9,
    version: 3,
    title: 'Add the thing',
    description: 'Adds it.',
    state,
    author: ADA,
    reviewers: [{ person: BOB, status: 'UNAPPROVED' }],
    createdMillis: millis(1),
    updatedMillis: millis(updatedMinute),
    ...(state === 'OPEN' ? {} : { closedMillis: millis(updatedMinute) }),
    fromBranch: 'feature/thing',
    fromCommit: SHA[2],
    toBranch: 'main',
    toCommit: SHA[0],
    ...extra,
  };
}

describe('normalizeBitbucketServer', () => {
  it('reads the event date with an offset without a colon', () => {
    expect(date(5)).toBe('2026-03-02T11:05:00+0100');
  });

  describe('repo:refs_changed', () => {
    it('becomes one push per changed ref, without commits, the repository as PROJECT/slug', () => {
      const events = normalizeBitbucketServer(
        'repo:refs_changed',
        serverRefsChanged(REPOSITORY, {
          actor: ADA,
          date: date(5),
          changes: [
            { ref: 'refs/heads/main', fromHash: SHA[0], toHash: SHA[1], type: 'UPDATE' },
            { ref: 'refs/tags/v1.0.0', fromHash: '0'.repeat(40), toHash: SHA[1], type: 'ADD' },
            { ref: 'refs/heads/old', fromHash: SHA[2], toHash: '0'.repeat(40), type: 'DELETE' },
          ],
        }),
      ) as PushEvent[];
      expect(events.map((e) => [e.ref, e.before, e.after, e.deleted])).toEqual([
        ['refs/heads/main', SHA[0], SHA[1], false],
        ['refs/tags/v1.0.0', '0'.repeat(40), SHA[1], false],
        ['refs/heads/old', SHA[2], '0'.repeat(40), true],
      ]);
      expect(events[0]).toMatchObject({
        kind: 'push',
        repository: {
          externalId: '1042',
          fullName: 'PLAT/api',
          name: 'API',
          url: 'https://bitbucket.example.test/projects/PLAT/repos/api/browse',
          private: true,
        },
        pusher: {
          externalId: '301',
          login: 'ada',
          name: 'Ada Lovelace',
          email: 'ada@hookyard.test',
          bot: false,
        },
        commits: [],
        occurredAt: '2026-03-02T11:05:00+0100',
      });
    });
  });

  describe('pull requests', () => {
    it.each([
      ['pr:opened', 'OPEN', 'opened', 'open'],
      ['pr:from_ref_updated', 'OPEN', 'synchronize', 'open'],
      ['pr:modified', 'OPEN', 'edited', 'open'],
      ['pr:merged', 'MERGED', 'merged', 'merged'],
      ['pr:declined', 'DECLINED', 'closed', 'closed'],
      // The event key is authoritative even when the state lags behind it.
      ['pr:merged', 'OPEN', 'merged', 'merged'],
    ] as const)('%s (state %s): action %s, state %s', (event, state, action, expected) => {
      const [pr] = normalizeBitbucketServer(
        event,
        serverPullRequestEvent(event, REPOSITORY, pullRequest(state, 20), {
          actor: BOB,
          date: date(20),
        }),
      ) as PullRequestEvent[];
      expect(pr).toMatchObject({
        kind: 'pull_request',
        action,
        actor: { externalId: '302' },
        repository: { externalId: '1042', fullName: 'PLAT/api' },
        pullRequest: {
          externalId: '9',
          number: 9,
          title: 'Add the thing',
          body: 'Adds it.',
          state: expected,
          draft: false,
          author: { externalId: '301', login: 'ada' },
          headRef: 'feature/thing',
          baseRef: 'main',
          headSha: SHA[2],
          url: 'https://bitbucket.example.test/projects/PLAT/repos/api/pull-requests/9',
          createdAt: iso(1),
          updatedAt: iso(20),
        },
        occurredAt: iso(20),
      });
      const data = pr.pullRequest;
      expect(data.requestedReviewers?.map((r) => r.login)).toEqual(['bob']);
      expect(data.mergedAt).toBe(expected === 'merged' ? data.closedAt : undefined);
      expect(data.mergedBy?.login).toBe(expected === 'merged' ? 'bob' : undefined);
      if (expected === 'open') expect(data.closedAt).toBeUndefined();
      else expect(data.closedAt).toBe(iso(20));
    });

    it('dies on a pull request without an id, naming it', () => {
      const payload = serverPullRequestEvent('pr:opened', REPOSITORY, pullRequest('OPEN', 2), {
        actor: ADA,
        date: date(2),
      });
      (payload.pullRequest as Record<string, unknown>).id = 'nine';
      expect(() => normalizeBitbucketServer('pr:opened', payload)).toThrow(
        'Bitbucket Data Center pr:opened payload: pullRequest.id is missing or not a whole number',
      );
    });
  });

  describe('reviews', () => {
    const review = (
      event: 'pr:reviewer:approved' | 'pr:reviewer:needs_work' | 'pr:reviewer:unapproved',
      status: 'APPROVED' | 'NEEDS_WORK' | 'UNAPPROVED',
      previousStatus: 'APPROVED' | 'NEEDS_WORK' | 'UNAPPROVED',
    ) =>
      normalizeBitbucketServer(
        event,
        serverReviewerEvent(event, REPOSITORY, pullRequest('OPEN', 10), {
          reviewer: { person: BOB, status, lastReviewedCommit: SHA[1] },
          previousStatus,
          date: date(12),
        }),
      ) as ReviewEvent[];

    it('an approval is a review by the participant at the event time', () => {
      const [event] = review('pr:reviewer:approved', 'APPROVED', 'UNAPPROVED');
      expect(event).toMatchObject({
        kind: 'review',
        repository: { externalId: '1042' },
        pullRequest: { number: 9 },
        review: {
          externalId: '1042:9:302:approved',
          state: 'approved',
          author: { externalId: '302', login: 'bob' },
          submittedAt: '2026-03-02T11:12:00+0100',
          commitSha: SHA[1],
        },
      });
    });

    it('needs work is a change request, a review of its own', () => {
      const [event] = review('pr:reviewer:needs_work', 'NEEDS_WORK', 'APPROVED');
      expect(event.review).toMatchObject({
        externalId: '1042:9:302:needs_work',
        state: 'changes_requested',
      });
    });

    it('withdrawing dismisses the verdict that was withdrawn', () => {
      expect(review('pr:reviewer:unapproved', 'UNAPPROVED', 'APPROVED')[0].review).toMatchObject({
        externalId: '1042:9:302:approved',
        state: 'dismissed',
      });
      expect(review('pr:reviewer:unapproved', 'UNAPPROVED', 'NEEDS_WORK')[0].review).toMatchObject({
        externalId: '1042:9:302:needs_work',
        state: 'dismissed',
      });
    });
  });

  describe('comments', () => {
    const comment = (anchor?: { path: string; line: number }) =>
      serverComment(
        {
          id: 77,
          text: 'Nit: rename this.',
          author: BOB,
          createdMillis: millis(14),
          updatedMillis: millis(15),
          repositoryId: REPOSITORY.id,
          anchor,
        },
        REPOSITORY.baseUrl,
      );

    it('pr:comment:added: a comment on the pull request, with its anchor', () => {
      const [event] = normalizeBitbucketServer(
        'pr:comment:added',
        serverPullRequestEvent('pr:comment:added', REPOSITORY, pullRequest('OPEN', 10), {
          actor: BOB,
          date: date(14),
          extra: { comment: comment({ path: 'src/api.ts', line: 12 }), commentParentId: 70 },
        }),
      ) as CommentEvent[];
      expect(event).toEqual({
        kind: 'comment',
        repository: expect.objectContaining({ externalId: '1042' }),
        target: { type: 'pull_request', number: 9 },
        comment: {
          externalId: '77',
          body: 'Nit: rename this.',
          author: expect.objectContaining({ externalId: '302' }),
          createdAt: iso(14),
          updatedAt: iso(15),
          path: 'src/api.ts',
          line: 12,
        },
        action: 'created',
        occurredAt: iso(15),
      });
    });

    it('repo:comment:deleted: a deleted comment on a commit, newest at the event time', () => {
      const [event] = normalizeBitbucketServer('repo:comment:deleted', {
        eventKey: 'repo:comment:deleted',
        date: date(30),
        actor: serverUser(BOB, REPOSITORY.baseUrl),
        comment: comment(),
        repository: serverRepository(REPOSITORY),
        commit: SHA[1],
      }) as CommentEvent[];
      expect(event).toMatchObject({
        target: { type: 'commit', sha: SHA[1] },
        action: 'deleted',
        comment: { updatedAt: '2026-03-02T11:30:00+0100' },
      });
    });
  });

  it('a service account is a bot', () => {
    const [push] = normalizeBitbucketServer(
      'repo:refs_changed',
      serverRefsChanged(REPOSITORY, {
        actor: BOT,
        date: date(1),
        changes: [{ ref: 'refs/heads/main', fromHash: SHA[0], toHash: SHA[1], type: 'UPDATE' }],
      }),
    ) as PushEvent[];
    expect(push.pusher?.bot).toBe(true);
  });

  it.each([
    'diagnostics:ping',
    'repo:forked',
    'repo:modified',
    'pr:deleted',
    'mirror:repo_synchronized',
  ])('%s is not modelled (ignored)', (event) => {
    expect(normalizeBitbucketServer(event, SERVER_PING)).toEqual([]);
  });
});
