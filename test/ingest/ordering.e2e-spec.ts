import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { UnitsOfWork } from '../../src/core/database/unit-of-work';
import { ActivityRecorder } from '../../src/modules/activity/activity-recorder';
import {
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  RepositoryRef,
  ReviewEvent,
} from '../../src/modules/activity/domain-events';
import { IdentityResolver } from '../../src/modules/users/identity-resolver';
import { startTestApp, TestApp } from '../support/test-app';

/** A pull request's life, one snapshot per event, in forge time order. */
function lifecycle(repository: RepositoryRef): Array<PullRequestEvent | ReviewEvent> {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
  const author = { externalId: '1', login: 'octocat' };
  const base: PullRequestData = {
    externalId: '900',
    number: 7,
    title: 'Add the thing',
    state: 'open',
    draft: true,
    author,
    headRef: 'feature',
    baseRef: 'main',
    headSha: 'a1',
    labels: [],
    createdAt: at(0),
    updatedAt: at(0),
  };
  const snapshot = (minute: number, changes: Partial<PullRequestData>): PullRequestData => ({
    ...base,
    ...changes,
    updatedAt: at(minute),
  });
  const pr = (action: PullRequestAction, data: PullRequestData): PullRequestEvent => ({
    kind: 'pull_request',
    repository,
    action,
    actor: author,
    pullRequest: data,
    occurredAt: data.updatedAt,
  });
  return [
    pr('opened', snapshot(0, {})),
    pr('synchronize', snapshot(1, { headSha: 'b2' })),
    pr('ready_for_review', snapshot(2, { headSha: 'b2', draft: false })),
    pr('labeled', snapshot(3, { headSha: 'b2', draft: false, labels: ['ready'] })),
    {
      kind: 'review',
      repository,
      pullRequest: snapshot(4, { headSha: 'b2', draft: false, labels: ['ready'] }),
      review: {
        externalId: 'r1',
        state: 'approved',
        author: { externalId: '2', login: 'hubot' },
        submittedAt: at(4),
      },
      occurredAt: at(4),
    },
    pr(
      'closed',
      snapshot(5, {
        headSha: 'b2',
        draft: false,
        labels: ['ready'],
        state: 'closed',
        closedAt: at(5),
      }),
    ),
    pr('reopened', snapshot(6, { headSha: 'b2', draft: false, labels: ['ready'], state: 'open' })),
    pr(
      'merged',
      snapshot(7, {
        headSha: 'b2',
        draft: false,
        labels: ['ready'],
        state: 'merged',
        closedAt: at(7),
        mergedAt: at(7),
        mergedBy: { externalId: '2', login: 'hubot' },
      }),
    ),
    pr(
      'edited',
      snapshot(8, {
        title: 'Add the thing (shipped)',
        headSha: 'b2',
        draft: false,
        labels: ['ready'],
        state: 'merged',
        closedAt: at(7),
        mergedAt: at(7),
      }),
    ),
  ];
}

describe('order does not matter (property test over shuffled pull request events)', () => {
  let t: TestApp;
  let recorder: ActivityRecorder;
  let identities: IdentityResolver;

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    recorder = t.app.get(ActivityRecorder);
    identities = t.app.get(IdentityResolver);
  });

  afterAll(async () => {
    await t.close();
  });

  /** Applies each event in its own transaction, as separate deliveries would. */
  async function apply(
    events: Array<PullRequestEvent | ReviewEvent>,
  ): Promise<Record<string, unknown>> {
    for (const event of events) {
      const unit = t.app.get(UnitsOfWork).begin();
      const scope = identities.scope(unit, 'github');
      await recorder.record(
        {
          session: unit,
          provider: 'github',
          deliveryId: randomUUID(),
          identities: scope,
          afterCommit: [],
        },
        [event],
      );
      // No delivery row here: a guard that always holds.
      expect(await unit.commit({ sql: 'SELECT 1', params: [] })).toBe(true);
    }
    const [row] = await t.dataSource.query<Record<string, unknown>[]>(
      `SELECT p.title, p.state, p.draft, p.head_sha, p.labels, p.closed_at, p.merged_at, p.updated_at,
              (SELECT count(*) FROM reviews r WHERE r.pull_request_id = p.id)::int AS reviews,
              (SELECT count(*) FROM pull_request_events e WHERE e.pull_request_id = p.id)::int AS timeline,
              mi.login AS merged_by, ai.login AS author
       FROM pull_requests p
       JOIN repositories repo ON repo.id = p.repository_id
       LEFT JOIN identities mi ON mi.id = p.merged_by_identity_id
       LEFT JOIN identities ai ON ai.id = p.author_identity_id
       WHERE repo.external_id = $1 AND repo.provider = 'github'`,
      [events[0].repository.externalId],
    );
    return row;
  }

  const repositoryFor = (): RepositoryRef => {
    const id = `ordering-${randomUUID()}`;
    return { externalId: id, fullName: `acme/${id}`, name: id, defaultBranch: 'main' };
  };

  it('every permutation converges to the in-order final state', async () => {
    const expected = await apply(lifecycle(repositoryFor()));
    expect(expected).toMatchObject({
      title: 'Add the thing (shipped)',
      state: 'merged',
      draft: false,
      head_sha: 'b2',
      labels: ['ready'],
      reviews: 1,
      timeline: 8,
      merged_by: 'hubot',
      author: 'octocat',
    });
    const indices = lifecycle(repositoryFor()).map((_, i) => i);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(indices, { minLength: indices.length }),
        async (order) => {
          const events = lifecycle(repositoryFor());
          const actual = await apply(order.map((i) => events[i]));
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  }, 120000);

  it('a stale "reopened" processed after the merge does not reopen the pull request', async () => {
    const events = lifecycle(repositoryFor());
    const merged = events.find((e) => e.kind === 'pull_request' && e.action === 'merged');
    const reopened = events.find((e) => e.kind === 'pull_request' && e.action === 'reopened');
    if (!merged || !reopened) throw new Error('fixture lost its merge');
    const row = await apply([merged, reopened]);
    expect(row.state).toBe('merged');
  });
});
