import { eventually, startTestApp, TestApp } from '../support/test-app';
import { BB, bitbucketDeliveries } from '../fixtures/bitbucket/builders';
import {
  ADA_COMMIT_EMAIL,
  ADA_EMAIL,
  AUTHORS,
  BITBUCKET_SECRET,
  type Delivery,
  type Forge,
  GITEA_SECRET,
  GITLAB_TOKEN,
  at,
  headersOf,
  instant,
  offsetAt,
  run,
} from '../fixtures/forges-scenario';
import { GT, giteaDeliveries } from '../fixtures/gitea/builders';
import { GL, gitlabDeliveries } from '../fixtures/gitlab/builders';

/**
 * GitLab, Gitea and Bitbucket Cloud deliveries through the real HTTP endpoint (signed), the queue
 * and the worker, then the engineering record they leave. Every id and name is unique to the run:
 * the database is shared with the other test files.
 */

interface SentDelivery extends Delivery {
  id: string;
}

// ─── Records ─────────────────────────────────────────────────────────────────────────────────

interface RepositoryRow {
  id: string;
  full_name: string;
  name: string;
  default_branch: string | null;
  private: boolean | null;
}

interface IdentityRow {
  id: string;
  provider: string;
  external_id: string | null;
  login: string | null;
  name: string | null;
  email: string | null;
  email_verified: boolean;
  person_id: string | null;
}

interface PullRequestRow {
  id: string;
  number: number;
  title: string;
  state: string;
  head_ref: string;
  base_ref: string;
  labels: string[];
  closed_at: Date | null;
  merged_at: Date | null;
  author: string | null;
  merged_by: string | null;
}

describe('processing GitLab, Gitea and Bitbucket deliveries (HTTP → queue → worker → records)', () => {
  let t: TestApp;
  const sent = new Map<string, SentDelivery>();

  const rows = <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    t.dataSource.query<T[]>(sql, params);

  const send = async (deliveries: Delivery[]): Promise<void> => {
    for (const delivery of deliveries) {
      const body = JSON.stringify(delivery.payload);
      const response = await t.request('POST', `/webhooks/${delivery.forge}`, {
        body,
        headers: headersOf(delivery, body),
        token: null,
      });
      expect({ delivery: delivery.name, status: response.status }).toEqual({
        delivery: delivery.name,
        status: 202,
      });
      const { id, status } = response.json<{ id: string; status: string }>();
      expect(status).toBe('accepted');
      sent.set(`${delivery.forge}:${delivery.name}`, { ...delivery, id });
    }
  };

  const settle = (deliveries: Delivery[], what: string): Promise<true> => {
    const ids = deliveries.map((d) => {
      const delivery = sent.get(`${d.forge}:${d.name}`);
      if (!delivery) throw new Error(`${d.forge}:${d.name} was not sent`);
      return delivery.id;
    });
    return eventually(
      async () => {
        const [row] = await rows<{ n: string }>(
          `SELECT count(*) AS n FROM deliveries WHERE id = ANY($1::uuid[])
             AND status IN ('processed', 'ignored', 'dead')`,
          [ids],
        );
        return Number(row.n) === ids.length ? true : undefined;
      },
      25_000,
      what,
    );
  };

  const sentDelivery = (forge: Forge, name: string): SentDelivery => {
    const delivery = sent.get(`${forge}:${name}`);
    if (!delivery) throw new Error(`${forge}:${name} was not sent`);
    return delivery;
  };

  const repository = async (provider: Forge, externalId: string): Promise<RepositoryRow> => {
    const found = await rows<RepositoryRow>(
      `SELECT id, full_name, name, default_branch, private FROM repositories
       WHERE provider = $1 AND external_id = $2`,
      [provider, externalId],
    );
    expect(found).toHaveLength(1);
    return found[0];
  };

  const identity = async (provider: Forge, externalId: string): Promise<IdentityRow> => {
    const found = await rows<IdentityRow>(
      `SELECT id, provider, external_id, login, name, email, email_verified, person_id
       FROM identities WHERE provider = $1 AND external_id = $2`,
      [provider, externalId],
    );
    expect(found).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    t = await startTestApp({
      WORKER_CONCURRENCY: '4',
      GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN,
      GITEA_WEBHOOK_SECRET: GITEA_SECRET,
      BITBUCKET_WEBHOOK_SECRET: BITBUCKET_SECRET,
    });
    const gitlab = gitlabDeliveries();
    const others = [...giteaDeliveries(), ...bitbucketDeliveries()];
    // GitLab settles first: the Gitea account with Ada's email must find her GitLab person
    // already committed (linking forges by email is decided when an identity is first seen).
    await send(gitlab);
    await settle(gitlab, 'every GitLab delivery to reach a final status');
    await send(others);
    await settle(others, 'every Gitea and Bitbucket delivery to reach a final status');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('every delivery reaches the status its event calls for; only malformed ones carry an error', async () => {
    expect(sent.size).toBe(
      gitlabDeliveries().length + giteaDeliveries().length + bitbucketDeliveries().length,
    );
    for (const delivery of sent.values()) {
      const [row] = await rows<{ status: string; last_error: string | null }>(
        'SELECT status, last_error FROM deliveries WHERE id = $1',
        [delivery.id],
      );
      expect({ delivery: `${delivery.forge}:${delivery.name}`, status: row.status }).toEqual({
        delivery: `${delivery.forge}:${delivery.name}`,
        status: delivery.expected,
      });
      if (delivery.expected !== 'dead') expect(row.last_error).toBeNull();
    }
  });

  it.each([
    ['gitlab', 'GitLab Merge Request Hook payload: object_attributes.iid'],
    ['gitea', 'Gitea pull_request payload: pull_request.head'],
    ['bitbucket', 'Bitbucket pullrequest:created payload: pullrequest.id'],
  ] as const)(
    '%s: a signed but malformed payload goes dead on its first attempt, naming the problem',
    async (forge, problem) => {
      const [row] = await rows<{ status: string; attempts: number; last_error: string | null }>(
        'SELECT status, attempts, last_error FROM deliveries WHERE id = $1',
        [sentDelivery(forge, 'malformed-pr').id],
      );
      expect(row.status).toBe('dead');
      expect(row.attempts).toBe(1);
      expect(row.last_error).toContain(problem);
    },
  );

  describe('GitLab', () => {
    let repo: RepositoryRow;

    beforeAll(async () => {
      repo = await repository('gitlab', String(GL.projectId));
    });

    it('records the project by its id and full path', () => {
      expect(repo).toMatchObject({
        full_name: GL.path,
        name: GL.name,
        default_branch: 'main',
        private: true,
      });
    });

    it('stores every pushed commit once, authored by email-only identities', async () => {
      const commits = await rows<{
        sha: string;
        message: string;
        committed_at: Date;
        email: string | null;
        external_id: string | null;
        provider: string | null;
      }>(
        `SELECT c.sha, c.message, c.committed_at, i.email, i.external_id, i.provider
         FROM commits c LEFT JOIN identities i ON i.id = c.author_identity_id
         WHERE c.repository_id = $1`,
        [repo.id],
      );
      expect(commits.map((c) => c.sha).sort()).toEqual([...GL.commits.c].sort());
      for (const [index, commitSha] of GL.commits.c.entries()) {
        const commit = commits.find((c) => c.sha === commitSha);
        expect(commit).toMatchObject({
          message: `Change ${index}\n\nBody of change ${index}.\n`,
          email: AUTHORS[index].email.toLowerCase(),
          external_id: null,
          provider: 'gitlab',
        });
        expect(commit?.committed_at.toISOString()).toBe(instant(offsetAt(index + 1)));
      }
    });

    it('keeps the merge request merged, with every action and the approval', async () => {
      const [pr] = await rows<PullRequestRow>(
        `SELECT p.id, p.number, p.title, p.state, p.head_ref, p.base_ref, p.labels, p.closed_at,
                p.merged_at, a.external_id AS author, m.external_id AS merged_by
         FROM pull_requests p
         LEFT JOIN identities a ON a.id = p.author_identity_id
         LEFT JOIN identities m ON m.id = p.merged_by_identity_id
         WHERE p.repository_id = $1`,
        [repo.id],
      );
      expect(pr).toMatchObject({
        number: GL.mrIid,
        title: 'Parse forge payloads',
        state: 'merged',
        head_ref: 'feature/parser',
        base_ref: 'main',
        labels: ['backend'],
        author: String(GL.ada),
        merged_by: String(GL.bob),
      });
      expect(pr.merged_at?.toISOString()).toBe(instant(at(20)));
      expect(pr.closed_at?.toISOString()).toBe(instant(at(20)));
      const events = await rows<{ action: string }>(
        'SELECT action FROM pull_request_events WHERE pull_request_id = $1 ORDER BY occurred_at',
        [pr.id],
      );
      expect(events.map((e) => e.action)).toEqual(['opened', 'synchronize', 'other', 'merged']);
      const reviews = await rows<{ external_id: string; state: string; author: string | null }>(
        `SELECT r.external_id, r.state, i.external_id AS author
         FROM reviews r LEFT JOIN identities i ON i.id = r.author_identity_id
         WHERE r.pull_request_id = $1`,
        [pr.id],
      );
      expect(reviews).toEqual([
        { external_id: `${GL.mrId}:${GL.bob}:approval`, state: 'approved', author: String(GL.bob) },
      ]);
    });

    it('records notes on the merge request and on the issue, and the closed issue', async () => {
      const comments = await rows<{
        external_id: string;
        target_type: string;
        target_number: number | null;
        author: string | null;
      }>(
        `SELECT c.external_id, c.target_type, c.target_number, i.external_id AS author
         FROM comments c LEFT JOIN identities i ON i.id = c.author_identity_id
         WHERE c.repository_id = $1 ORDER BY c.target_type`,
        [repo.id],
      );
      expect(comments).toEqual([
        {
          external_id: String(GL.noteOnIssue),
          target_type: 'issue',
          target_number: GL.issueIid,
          author: String(GL.bob),
        },
        {
          external_id: String(GL.noteOnMr),
          target_type: 'pull_request',
          target_number: GL.mrIid,
          author: String(GL.bob),
        },
      ]);
      const issues = await rows<{
        number: number;
        state: string;
        labels: string[];
        closed_at: Date | null;
      }>('SELECT number, state, labels, closed_at FROM issues WHERE repository_id = $1', [repo.id]);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ number: GL.issueIid, state: 'closed', labels: ['bug'] });
      expect(issues[0].closed_at?.toISOString()).toBe(instant(at(30)));
    });

    it('maps the pipeline and its jobs to CI runs and jobs with GitLab statuses translated', async () => {
      const runs = await rows<{
        external_id: string;
        source: string;
        status: string;
        conclusion: string | null;
        head_sha: string;
        head_branch: string | null;
        run_number: number | null;
        started_at: Date | null;
        completed_at: Date | null;
      }>(
        `SELECT external_id, source, status, conclusion, head_sha, head_branch, run_number,
                started_at, completed_at
         FROM ci_runs WHERE repository_id = $1`,
        [repo.id],
      );
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        external_id: String(GL.pipelineId),
        source: 'pipeline',
        status: 'completed',
        conclusion: 'success',
        head_sha: GL.commits.c[2],
        head_branch: 'main',
        run_number: 12,
      });
      expect(runs[0].started_at?.toISOString()).toBe(instant(at(22)));
      expect(runs[0].completed_at?.toISOString()).toBe(instant(at(26)));
      const jobs = await rows<{
        external_id: string;
        run_external_id: string | null;
        status: string;
        conclusion: string | null;
        stage: string | null;
        runner_name: string | null;
      }>(
        `SELECT external_id, run_external_id, status, conclusion, stage, runner_name
         FROM ci_jobs WHERE repository_id = $1 ORDER BY external_id`,
        [repo.id],
      );
      const job = (externalId: number) => jobs.find((j) => j.external_id === String(externalId));
      expect(jobs).toHaveLength(3);
      const common = {
        run_external_id: String(GL.pipelineId),
        stage: 'test',
        runner_name: 'shared-runner-1',
      };
      expect(job(GL.jobs.failed)).toMatchObject({
        ...common,
        status: 'completed',
        conclusion: 'failure',
      });
      expect(job(GL.jobs.running)).toMatchObject({
        ...common,
        status: 'in_progress',
        conclusion: null,
      });
      expect(job(GL.jobs.manual)).toMatchObject({
        ...common,
        status: 'completed',
        conclusion: 'action_required',
      });
    });

    it('records the deployment with its status history, and the release', async () => {
      const deployments = await rows<{
        id: string;
        external_id: string;
        environment: string;
        ref: string | null;
        sha: string;
        latest_state: string | null;
        creator: string | null;
      }>(
        `SELECT d.id, d.external_id, d.environment, d.ref, d.sha, d.latest_state,
                i.external_id AS creator
         FROM deployments d LEFT JOIN identities i ON i.id = d.creator_identity_id
         WHERE d.repository_id = $1`,
        [repo.id],
      );
      expect(deployments).toEqual([
        {
          id: expect.any(String) as unknown,
          external_id: String(GL.deploymentId),
          environment: 'production',
          ref: 'main',
          // The full sha comes from the commit URL (the payload's field is the short one).
          sha: GL.commits.c[2],
          latest_state: 'success',
          creator: String(GL.ada),
        },
      ]);
      const statuses = await rows<{ state: string; created_at: Date; url: string | null }>(
        'SELECT state, created_at, url FROM deployment_statuses WHERE deployment_id = $1 ORDER BY created_at',
        [deployments[0].id],
      );
      expect(
        statuses.map((s) => ({ state: s.state, at: s.created_at.toISOString(), url: s.url })),
      ).toEqual([
        { state: 'in_progress', at: instant(at(27)), url: 'https://app.hookyard.test' },
        { state: 'success', at: instant(at(29)), url: 'https://app.hookyard.test' },
      ]);
      const releases = await rows<{
        external_id: string;
        tag_name: string;
        name: string | null;
        draft: boolean;
        published_at: Date | null;
      }>(
        'SELECT external_id, tag_name, name, draft, published_at FROM releases WHERE repository_id = $1',
        [repo.id],
      );
      expect(releases).toHaveLength(1);
      expect(releases[0]).toMatchObject({
        external_id: String(GL.releaseId),
        tag_name: 'v1.0.0',
        name: 'Hookyard 1.0',
        draft: false,
      });
      expect(releases[0].published_at?.toISOString()).toBe(instant(at(31)));
    });

    it('creates account identities with their people; hidden emails are not stored', async () => {
      const ada = await identity('gitlab', String(GL.ada));
      expect(ada).toMatchObject({
        login: `ada-${run}`,
        name: 'Ada Lovelace',
        email: ADA_EMAIL,
        email_verified: true,
      });
      expect(ada.person_id).not.toBeNull();
      const bob = await identity('gitlab', String(GL.bob));
      expect(bob).toMatchObject({ login: `bob-${run}`, email: null, email_verified: false });
      expect(bob.person_id).not.toBeNull();
      expect(bob.person_id).not.toBe(ada.person_id);
    });
  });

  describe('Gitea', () => {
    let repo: RepositoryRow;

    beforeAll(async () => {
      repo = await repository('gitea', String(GT.repoId));
    });

    it('records the repository by its id and full name', () => {
      expect(repo).toMatchObject({
        full_name: GT.path,
        name: GT.name,
        default_branch: 'main',
        private: false,
      });
    });

    it('stores every pushed commit once, authored by email-only identities', async () => {
      const commits = await rows<{
        sha: string;
        email: string | null;
        external_id: string | null;
        committer_email: string | null;
      }>(
        `SELECT c.sha, a.email, a.external_id, m.email AS committer_email
         FROM commits c
         LEFT JOIN identities a ON a.id = c.author_identity_id
         LEFT JOIN identities m ON m.id = c.committer_identity_id
         WHERE c.repository_id = $1`,
        [repo.id],
      );
      expect(commits.map((c) => c.sha).sort()).toEqual([...GT.commits.c].sort());
      for (const [index, commitSha] of GT.commits.c.entries()) {
        const email = AUTHORS[index].email.toLowerCase();
        expect(commits.find((c) => c.sha === commitSha)).toEqual({
          sha: commitSha,
          email,
          external_id: null,
          committer_email: email,
        });
      }
    });

    it('keeps the pull request merged, with every action and the approval', async () => {
      const [pr] = await rows<PullRequestRow>(
        `SELECT p.id, p.number, p.title, p.state, p.head_ref, p.base_ref, p.labels, p.closed_at,
                p.merged_at, a.external_id AS author, m.external_id AS merged_by
         FROM pull_requests p
         LEFT JOIN identities a ON a.id = p.author_identity_id
         LEFT JOIN identities m ON m.id = p.merged_by_identity_id
         WHERE p.repository_id = $1`,
        [repo.id],
      );
      expect(pr).toMatchObject({
        number: GT.prNumber,
        title: 'Add the Gitea adapter',
        state: 'merged',
        head_ref: 'feature',
        base_ref: 'main',
        labels: ['feature'],
        author: String(GT.ada),
        merged_by: String(GT.bob),
      });
      expect(pr.merged_at?.toISOString()).toBe(instant(at(20)));
      const events = await rows<{ action: string }>(
        'SELECT action FROM pull_request_events WHERE pull_request_id = $1 ORDER BY occurred_at',
        [pr.id],
      );
      expect(events.map((e) => e.action)).toEqual(['opened', 'synchronize', 'merged']);
      const reviews = await rows<{ state: string; body: string | null; author: string | null }>(
        `SELECT r.state, r.body, i.external_id AS author
         FROM reviews r LEFT JOIN identities i ON i.id = r.author_identity_id
         WHERE r.pull_request_id = $1`,
        [pr.id],
      );
      expect(reviews).toEqual([
        { state: 'approved', body: 'Looks right to me.', author: String(GT.bob) },
      ]);
    });

    it('records comments on the pull request and on the issue, and the closed issue', async () => {
      const comments = await rows<{
        external_id: string;
        target_type: string;
        target_number: number | null;
        author: string | null;
      }>(
        `SELECT c.external_id, c.target_type, c.target_number, i.external_id AS author
         FROM comments c LEFT JOIN identities i ON i.id = c.author_identity_id
         WHERE c.repository_id = $1 ORDER BY c.target_type`,
        [repo.id],
      );
      expect(comments).toEqual([
        {
          external_id: String(GT.commentOnIssue),
          target_type: 'issue',
          target_number: GT.issueNumber,
          author: String(GT.bob),
        },
        {
          external_id: String(GT.commentOnPr),
          target_type: 'pull_request',
          target_number: GT.prNumber,
          author: String(GT.bob),
        },
      ]);
      const issues = await rows<{ number: number; state: string; closed_at: Date | null }>(
        'SELECT number, state, closed_at FROM issues WHERE repository_id = $1',
        [repo.id],
      );
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ number: GT.issueNumber, state: 'closed' });
      expect(issues[0].closed_at?.toISOString()).toBe(instant(at(30)));
    });

    it('records the release', async () => {
      const releases = await rows<{
        external_id: string;
        tag_name: string;
        prerelease: boolean;
        author: string | null;
        published_at: Date | null;
      }>(
        `SELECT r.external_id, r.tag_name, r.prerelease, i.external_id AS author, r.published_at
         FROM releases r LEFT JOIN identities i ON i.id = r.author_identity_id
         WHERE r.repository_id = $1`,
        [repo.id],
      );
      expect(releases).toHaveLength(1);
      expect(releases[0]).toMatchObject({
        external_id: String(GT.releaseId),
        tag_name: 'v0.1.0',
        prerelease: true,
        author: String(GT.ada),
      });
      expect(releases[0].published_at?.toISOString()).toBe(instant(at(32)));
    });
  });

  describe('Bitbucket Cloud', () => {
    let repo: RepositoryRow;

    beforeAll(async () => {
      repo = await repository('bitbucket', BB.repoUuid);
    });

    it('records the repository by its uuid and full name', () => {
      expect(repo).toMatchObject({
        full_name: BB.path,
        name: BB.name,
        default_branch: 'main',
        private: true,
      });
    });

    it('stores every pushed commit once, authored by email-only identities', async () => {
      const commits = await rows<{
        sha: string;
        committed_at: Date;
        email: string | null;
        name: string | null;
        external_id: string | null;
      }>(
        `SELECT c.sha, c.committed_at, i.email, i.name, i.external_id
         FROM commits c LEFT JOIN identities i ON i.id = c.author_identity_id
         WHERE c.repository_id = $1`,
        [repo.id],
      );
      expect(commits.map((c) => c.sha).sort()).toEqual([...BB.commits.c].sort());
      for (const [index, commitSha] of BB.commits.c.entries()) {
        const commit = commits.find((c) => c.sha === commitSha);
        expect(commit).toMatchObject({
          email: AUTHORS[index].email.toLowerCase(),
          name: AUTHORS[index].name,
          external_id: null,
        });
        expect(commit?.committed_at.toISOString()).toBe(instant(at(index + 1)));
      }
    });

    it('keeps the pull request merged, with every action and the approval', async () => {
      const [pr] = await rows<PullRequestRow>(
        `SELECT p.id, p.number, p.title, p.state, p.head_ref, p.base_ref, p.labels, p.closed_at,
                p.merged_at, a.external_id AS author, m.external_id AS merged_by
         FROM pull_requests p
         LEFT JOIN identities a ON a.id = p.author_identity_id
         LEFT JOIN identities m ON m.id = p.merged_by_identity_id
         WHERE p.repository_id = $1`,
        [repo.id],
      );
      expect(pr).toMatchObject({
        number: BB.prId,
        title: 'Add the Bitbucket adapter',
        state: 'merged',
        head_ref: 'feature',
        base_ref: 'main',
        author: BB.ada,
        merged_by: BB.bob,
      });
      expect(pr.merged_at?.toISOString()).toBe(instant(at(20)));
      const events = await rows<{ action: string }>(
        'SELECT action FROM pull_request_events WHERE pull_request_id = $1 ORDER BY occurred_at',
        [pr.id],
      );
      expect(events.map((e) => e.action)).toEqual(['opened', 'edited', 'merged']);
      const reviews = await rows<{ external_id: string; state: string; author: string | null }>(
        `SELECT r.external_id, r.state, i.external_id AS author
         FROM reviews r LEFT JOIN identities i ON i.id = r.author_identity_id
         WHERE r.pull_request_id = $1`,
        [pr.id],
      );
      expect(reviews).toEqual([
        {
          external_id: `${BB.repoUuid}:${BB.prId}:${BB.bob}:approval`,
          state: 'approved',
          author: BB.bob,
        },
      ]);
    });

    it('records comments on the pull request (inline) and on the issue, and the resolved issue', async () => {
      const comments = await rows<{
        external_id: string;
        target_type: string;
        target_number: number | null;
        path: string | null;
        line: number | null;
        author: string | null;
      }>(
        `SELECT c.external_id, c.target_type, c.target_number, c.path, c.line,
                i.external_id AS author
         FROM comments c LEFT JOIN identities i ON i.id = c.author_identity_id
         WHERE c.repository_id = $1 ORDER BY c.target_type`,
        [repo.id],
      );
      expect(comments).toEqual([
        {
          external_id: String(BB.commentOnIssue),
          target_type: 'issue',
          target_number: BB.issueId,
          path: null,
          line: null,
          author: BB.bob,
        },
        {
          external_id: String(BB.commentOnPr),
          target_type: 'pull_request',
          target_number: BB.prId,
          path: 'src/bitbucket.ts',
          line: 42,
          author: BB.bob,
        },
      ]);
      const issues = await rows<{ number: number; state: string; author: string | null }>(
        `SELECT s.number, s.state, i.external_id AS author
         FROM issues s LEFT JOIN identities i ON i.id = s.author_identity_id
         WHERE s.repository_id = $1`,
        [repo.id],
      );
      expect(issues).toEqual([{ number: BB.issueId, state: 'closed', author: BB.ada }]);
    });

    it('turns commit statuses into CI runs, one per key and commit, keeping the newest state', async () => {
      const runs = await rows<{
        external_id: string;
        source: string;
        name: string | null;
        status: string;
        conclusion: string | null;
        head_sha: string;
        head_branch: string | null;
        completed_at: Date | null;
      }>(
        `SELECT external_id, source, name, status, conclusion, head_sha, head_branch, completed_at
         FROM ci_runs WHERE repository_id = $1 ORDER BY external_id`,
        [repo.id],
      );
      const head = BB.commits.c[2];
      expect(
        runs.map((r) => ({ ...r, completed_at: r.completed_at?.toISOString() ?? null })),
      ).toEqual([
        {
          external_id: `lint@${head}`,
          source: 'commit_status',
          name: 'Lint',
          status: 'completed',
          conclusion: 'cancelled',
          head_sha: head,
          head_branch: 'main',
          completed_at: instant(at(23)),
        },
        {
          external_id: `unit-tests@${head}`,
          source: 'commit_status',
          name: 'Unit tests',
          status: 'completed',
          conclusion: 'success',
          head_sha: head,
          head_branch: 'main',
          completed_at: instant(at(25)),
        },
      ]);
    });

    it('creates account identities by uuid, each with a person', async () => {
      for (const [uuid, who] of [
        [BB.ada, 'ada'],
        [BB.bob, 'bob'],
      ] as const) {
        const account = await identity('bitbucket', uuid);
        expect(account.login).toBe(`${who}-${run}`);
        expect(account.person_id).not.toBeNull();
      }
    });
  });

  it.each([
    ['gitlab', () => String(GL.projectId), () => GL.commits.c[2]],
    ['gitea', () => String(GT.repoId), () => GT.commits.c[2]],
    ['bitbucket', () => BB.repoUuid, () => BB.commits.c[2]],
  ] as const)(
    '%s: a commit pushed to two branches leaves exactly one commits row',
    async (forge, repositoryExternalId, sharedSha) => {
      const repo = await repository(forge, repositoryExternalId());
      const found = await rows<{ first_ref: string | null }>(
        'SELECT first_ref FROM commits WHERE repository_id = $1 AND sha = $2',
        [repo.id, sharedSha()],
      );
      expect(found).toHaveLength(1);
      expect(found[0].first_ref).toMatch(/^refs\/heads\/(main|release|dev|feature)$/);
    },
  );

  it('tag pushes are processed without inventing commits', async () => {
    for (const [forge, externalId, tagObject] of [
      ['gitlab', String(GL.projectId), GL.commits.tagObject],
      ['gitea', String(GT.repoId), GT.commits.tagObject],
    ] as const) {
      const repo = await repository(forge, externalId);
      const [row] = await rows<{ n: string }>(
        'SELECT count(*) AS n FROM commits WHERE repository_id = $1 AND sha = $2',
        [repo.id, tagObject],
      );
      expect(Number(row.n)).toBe(0);
    }
  });

  it('one person owns the GitLab and the Gitea account that share a verified email', async () => {
    const gitlab = await identity('gitlab', String(GL.ada));
    const gitea = await identity('gitea', String(GT.ada));
    expect(gitlab.email).toBe(ADA_EMAIL);
    expect(gitea).toMatchObject({ email: ADA_EMAIL, email_verified: true });
    expect(gitea.person_id).toBe(gitlab.person_id);
    const accounts = await rows<{ provider: string; person_id: string }>(
      `SELECT provider, person_id FROM identities
       WHERE lower(email) = lower($1) AND external_id IS NOT NULL ORDER BY provider`,
      [ADA_EMAIL],
    );
    expect(accounts.map((a) => a.provider)).toEqual(['gitea', 'gitlab']);
    const [person] = await rows<{ primary_email: string | null }>(
      'SELECT primary_email FROM people WHERE id = $1',
      [gitlab.person_id],
    );
    expect(person.primary_email).toBe(ADA_EMAIL);
    // Bob's Gitea email is his alone: he is not merged into anyone.
    const bob = await identity('gitea', String(GT.bob));
    expect(bob.person_id).not.toBe(gitlab.person_id);
    // Commit emails are not verified: they never join an account's person.
    const commitAuthors = await rows<{ person_id: string | null; email_verified: boolean }>(
      `SELECT person_id, email_verified FROM identities
       WHERE lower(email) = lower($1) AND external_id IS NULL`,
      [ADA_COMMIT_EMAIL],
    );
    expect(commitAuthors).toHaveLength(3);
    for (const author of commitAuthors) {
      expect(author.email_verified).toBe(false);
      expect(author.person_id).not.toBe(gitlab.person_id);
    }
  });
});
