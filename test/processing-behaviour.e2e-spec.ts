import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import type { Job, JobType } from 'bullmq';
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { JobName, QueueName } from '../src/core/jobs/job-catalogue';
import { JobsService } from '../src/core/jobs/jobs.service';
import { UsersModule } from '../src/modules/users/users.module';
import { IdentityResolver } from '../src/modules/users/identity-resolver';
import { eventually, githubHeaders, startTestApp, TestApp } from './support/test-app';
import { testEnv } from './support/test-env';

type Json = Record<string, unknown>;

interface DeliveryRow {
  status: string;
  attempts: number;
  last_error: string | null;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

interface IdentityView {
  id: string;
  provider: string;
  externalId: string | null;
  login: string | null;
  name: string | null;
  email: string | null;
}

interface PersonDetail {
  id: string;
  displayName: string | null;
  primaryEmail: string | null;
  identities: IdentityView[];
}

interface GithubRepo {
  id: number;
  fullName: string;
}

interface CommitSpec {
  sha: string;
  author?: { name: string; email: string };
}

// The database is shared with the other test files: every name here carries this run's tag.
const tag = randomBytes(4).toString('hex');
const sha = () => randomBytes(20).toString('hex');
const GITLAB_TOKEN = `gitlab-behaviour-token-${tag}`;
const GITEA_SECRET = `gitea-behaviour-secret-${tag}`;

const usedRepositoryIds = new Set<number>();
function newGithubRepo(label: string): GithubRepo {
  let id = randomInt(1_000_000_000, 2_000_000_000);
  while (usedRepositoryIds.has(id)) id = randomInt(1_000_000_000, 2_000_000_000);
  usedRepositoryIds.add(id);
  return { id, fullName: `behaviour-${tag}/${label}` };
}

const catalogue = examples as unknown as Array<{ name: string; examples: Json[] }>;
function example(event: string, pick: (payload: Json) => boolean): Json {
  const found = catalogue.find((e) => e.name === event)?.examples.find(pick);
  if (!found) throw new Error(`no @octokit/webhooks-examples payload for ${event}`);
  return structuredClone(found);
}
const obj = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});

function withRepository(payload: Json, repo: GithubRepo): Json {
  const name = repo.fullName.slice(repo.fullName.indexOf('/') + 1);
  payload.repository = {
    ...obj(payload.repository),
    id: repo.id,
    node_id: `R_${tag}_${repo.id}`,
    name,
    full_name: repo.fullName,
    html_url: `https://github.com/${repo.fullName}`,
  };
  return payload;
}

/** A push of `commits` (oldest first) built on the example push to the default branch. */
function githubPush(repo: GithubRepo, commits: CommitSpec[], ref = 'refs/heads/master'): Json {
  const payload = withRepository(
    example('push', (p) => p.ref === 'refs/heads/master' && Array.isArray(p.commits)),
    repo,
  );
  const fallbackAuthor = { name: 'Octo Cat', email: `octo-${tag}@example.com` };
  const built = commits.map((c, index) => ({
    id: c.sha,
    tree_id: sha(),
    distinct: true,
    message: `change ${index} of ${tag}`,
    timestamp: new Date(Date.UTC(2024, 0, 1, 12, index)).toISOString(),
    url: `https://github.com/${repo.fullName}/commit/${c.sha}`,
    author: c.author ?? fallbackAuthor,
    committer: c.author ?? fallbackAuthor,
    added: [],
    removed: [],
    modified: ['README.md'],
  }));
  payload.ref = ref;
  payload.before = sha();
  payload.after = built[built.length - 1].id;
  payload.commits = built;
  payload.head_commit = built[built.length - 1];
  return payload;
}

function githubPullRequest(repo: GithubRepo, number: number): Json {
  const payload = withRepository(
    example('pull_request', (p) => p.action === 'opened'),
    repo,
  );
  payload.pull_request = {
    ...obj(payload.pull_request),
    id: randomInt(1_000_000_000, 2_000_000_000),
    number,
    title: `behaviour ${tag} #${number}`,
  };
  payload.number = number;
  return payload;
}

function failedWorkflowRun(repo: GithubRepo): Json {
  const payload = withRepository(
    example('workflow_run', (p) => obj(p.workflow_run).conclusion === 'success'),
    repo,
  );
  payload.workflow_run = {
    ...obj(payload.workflow_run),
    id: randomInt(1_000_000_000, 2_000_000_000),
    conclusion: 'failure',
    status: 'completed',
  };
  return payload;
}

describe('delivery processing behaviour (real HTTP, PostgreSQL, Redis)', () => {
  let t: TestApp | undefined;

  const app = (): TestApp => {
    if (!t) throw new Error('the test app is not running');
    return t;
  };

  const start = async (env: Record<string, string>): Promise<void> => {
    t = await startTestApp(env);
  };

  const stop = async (): Promise<void> => {
    await t?.close();
    t = undefined;
  };

  /** Sends a signed GitHub delivery and returns the stored delivery's id. */
  const sendGithub = async (event: string, payload: Json): Promise<string> => {
    const body = JSON.stringify(payload);
    const response = await app().request('POST', '/webhooks/github', {
      body,
      headers: githubHeaders(body, event),
      token: null,
    });
    expect(response.status).toBe(202);
    return response.json<{ id: string }>().id;
  };

  const delivery = async (id: string): Promise<DeliveryRow> => {
    const [row] = await app().dataSource.query<DeliveryRow[]>(
      'SELECT status, attempts, last_error FROM deliveries WHERE id = $1',
      [id],
    );
    return row;
  };

  const settled = (id: string, status: string, timeoutMs = 20000): Promise<DeliveryRow> =>
    eventually(
      async () => {
        const row = await delivery(id);
        return row.status === status ? row : undefined;
      },
      timeoutMs,
      `delivery ${id} to be ${status}`,
    );

  const repositoryUuid = async (provider: string, externalId: string | number) => {
    const [row] = await app().dataSource.query<{ id: string }[]>(
      'SELECT id FROM repositories WHERE provider = $1 AND external_id = $2',
      [provider, String(externalId)],
    );
    expect(row).toBeDefined();
    return row.id;
  };

  const pullRequestsPresent = async (): Promise<boolean> => {
    const [row] = await app().dataSource.query<{ present: boolean }[]>(
      `SELECT to_regclass('public.pull_requests') IS NOT NULL AS present`,
    );
    return row.present;
  };

  const restorePullRequests = async (): Promise<void> => {
    if (!(await pullRequestsPresent())) {
      await app().dataSource.query('ALTER TABLE pull_requests_gone RENAME TO pull_requests');
    }
  };

  /** Runs `work` while every pull_request delivery fails; the table is back afterwards, always. */
  const withoutPullRequests = async <T>(work: () => Promise<T>): Promise<T> => {
    await app().dataSource.query('ALTER TABLE pull_requests RENAME TO pull_requests_gone');
    try {
      return await work();
    } finally {
      await restorePullRequests();
    }
  };

  afterEach(async () => {
    // A failed test must never leave the table renamed for the test files that follow.
    if (t) await restorePullRequests();
  });

  afterAll(async () => {
    await stop();
    // Last line of defence, without the app: the table must be back whatever happened above.
    const client = new Client({ connectionString: testEnv('databaseUrl') });
    await client.connect();
    try {
      await client.query(`DO $$ BEGIN
        IF to_regclass('public.pull_requests') IS NULL THEN
          ALTER TABLE pull_requests_gone RENAME TO pull_requests;
        END IF;
      END $$`);
    } finally {
      await client.end();
    }
  });

  describe('retries (JOB_ATTEMPTS=3)', () => {
    beforeAll(() => start({ JOB_ATTEMPTS: '3' }));
    afterAll(() => stop());

    it('a delivery that fails is retried with backoff and recovers once the cause is gone', async () => {
      const repo = newGithubRepo('retried');
      const id = await withoutPullRequests(async () => {
        const sent = await sendGithub('pull_request', githubPullRequest(repo, 7));
        const failed = await settled(sent, 'failed', 10000);
        expect(failed.attempts).toBeGreaterThanOrEqual(1);
        expect(failed.last_error).toMatch(/pull_requests/);
        return sent;
      });
      // Backoff is 1 s then 2 s: the next attempt finds the table again.
      const processed = await settled(id, 'processed', 15000);
      expect(processed.attempts).toBeGreaterThanOrEqual(2);
      expect(processed.attempts).toBeLessThanOrEqual(3);
      expect(processed.last_error).toBeNull();
      const rows = await app().dataSource.query<{ title: string }[]>(
        `SELECT p.title FROM pull_requests p JOIN repositories r ON r.id = p.repository_id
         WHERE r.provider = 'github' AND r.external_id = $1 AND p.number = 7`,
        [String(repo.id)],
      );
      expect(rows).toEqual([{ title: `behaviour ${tag} #7` }]);
    }, 40000);
  });

  describe('dead letters (JOB_ATTEMPTS=2)', () => {
    beforeAll(() => start({ JOB_ATTEMPTS: '2' }));
    afterAll(() => stop());

    const bullJob = (id: string, attemptsMade: number): Promise<Job> =>
      eventually(
        async () => {
          const job = await app().app.get(JobsService).queue(QueueName.Deliveries).getJob(id);
          if (!job || (await job.getState()) !== 'failed') return undefined;
          return job.attemptsMade === attemptsMade ? job : undefined;
        },
        10000,
        `job ${id} to fail after ${attemptsMade} attempt(s)`,
      );

    it('a delivery that keeps failing ends dead after exactly JOB_ATTEMPTS attempts', async () => {
      const id = await withoutPullRequests(async () => {
        const sent = await sendGithub('pull_request', githubPullRequest(newGithubRepo('dead'), 1));
        const dead = await settled(sent, 'dead', 15000);
        expect(dead.attempts).toBe(2);
        expect(dead.last_error).toMatch(/pull_requests/);
        await bullJob(sent, 2);
        return sent;
      });
      // Dead is final: with the table back, nothing retries it behind our back.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await delivery(id)).toMatchObject({ status: 'dead', attempts: 2 });
    }, 40000);

    it('a payload that cannot be understood goes dead after one attempt, without retries', async () => {
      const payload = githubPullRequest(newGithubRepo('unreadable'), 2);
      delete payload.pull_request;
      const id = await sendGithub('pull_request', payload);
      const dead = await settled(id, 'dead', 10000);
      expect(dead.attempts).toBe(1);
      expect(dead.last_error).toMatch(/pull_request/);
      await bullJob(id, 1);
      // Longer than the first backoff (1 s): a retry would have happened by now.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await delivery(id)).toMatchObject({ status: 'dead', attempts: 1 });
    }, 30000);
  });

  describe('records, follow-up jobs, identities and people administration', () => {
    beforeAll(() =>
      start({ GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN, GITEA_WEBHOOK_SECRET: GITEA_SECRET }),
    );
    afterAll(() => stop());

    const followups = () => app().app.get(JobsService).queue(QueueName.Followups);

    const PENDING: readonly JobType[] = ['waiting', 'prioritized', 'delayed', 'active'];
    const ANY_STATE: readonly JobType[] = [...PENDING, 'completed', 'failed'];

    /** The follow-up jobs of one name for one repository, in the given states. */
    const jobsFor = async (
      states: readonly JobType[],
      name: JobName,
      repositoryId: string,
    ): Promise<Job[]> => {
      const wanted: string = name;
      const jobs = await followups().getJobs([...states], 0, -1);
      return jobs.filter(
        (job) => job.name === wanted && obj(job.data).repositoryId === repositoryId,
      );
    };

    describe('commits', () => {
      it('a commit that arrives in several pushes is stored once', async () => {
        const repo = newGithubRepo('overlap');
        const [a, b, c] = [sha(), sha(), sha()];
        const ids = await Promise.all([
          sendGithub('push', githubPush(repo, [{ sha: a }, { sha: b }])),
          sendGithub('push', githubPush(repo, [{ sha: b }, { sha: c }])),
        ]);
        for (const id of ids) await settled(id, 'processed');
        const repositoryId = await repositoryUuid('github', repo.id);
        const rows = await app().dataSource.query<{ sha: string; n: number }[]>(
          `SELECT sha, count(*)::int AS n FROM commits WHERE repository_id = $1
           GROUP BY sha ORDER BY sha`,
          [repositoryId],
        );
        expect(rows).toEqual([a, b, c].sort().map((s) => ({ sha: s, n: 1 })));
      });
    });

    describe('follow-up jobs', () => {
      it('a push to the default branch asks for a metrics refresh and a re-index', async () => {
        const repo = newGithubRepo('followups');
        await settled(await sendGithub('push', githubPush(repo, [{ sha: sha() }])), 'processed');
        const repositoryId = await repositoryUuid('github', repo.id);
        await eventually(
          async () => {
            const metrics = await jobsFor(ANY_STATE, JobName.RefreshMetrics, repositoryId);
            const index = await jobsFor(ANY_STATE, JobName.IndexRepository, repositoryId);
            return metrics.length > 0 && index.length > 0 ? true : undefined;
          },
          10000,
          'metrics.refresh and indexing.repository jobs',
        );
      });

      it('a push to another branch refreshes metrics but does not re-index', async () => {
        const repo = newGithubRepo('feature-branch');
        const id = await sendGithub(
          'push',
          githubPush(repo, [{ sha: sha() }], 'refs/heads/feature'),
        );
        await settled(id, 'processed');
        const repositoryId = await repositoryUuid('github', repo.id);
        await eventually(
          async () =>
            (await jobsFor(ANY_STATE, JobName.RefreshMetrics, repositoryId)).length > 0
              ? true
              : undefined,
          10000,
          'metrics.refresh job',
        );
        // Both would be added by the same call, one right after the other.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(await jobsFor(ANY_STATE, JobName.IndexRepository, repositoryId)).toEqual([]);
      });

      it('five pushes while the follow-ups wait leave one pending job of each kind per repository', async () => {
        const repo = newGithubRepo('deduplicated');
        const queue = followups();
        await queue.pause();
        try {
          const ids: string[] = [];
          for (let i = 0; i < 5; i++) {
            ids.push(await sendGithub('push', githubPush(repo, [{ sha: sha() }])));
          }
          for (const id of ids) await settled(id, 'processed');
          const repositoryId = await repositoryUuid('github', repo.id);
          expect(await jobsFor(PENDING, JobName.RefreshMetrics, repositoryId)).toHaveLength(1);
          expect(await jobsFor(PENDING, JobName.IndexRepository, repositoryId)).toHaveLength(1);
        } finally {
          await queue.resume();
        }
        // Once resumed, each ran exactly once for the five pushes.
        const repositoryId = await repositoryUuid('github', repo.id);
        await eventually(
          async () => {
            const metrics = await jobsFor(['completed'], JobName.RefreshMetrics, repositoryId);
            // No forge is reachable from here: the index run ends (failed: the repository's
            // URL is not on the configured origin), which is what this test counts.
            const index = await jobsFor(
              ['completed', 'failed'],
              JobName.IndexRepository,
              repositoryId,
            );
            return metrics.length + index.length === 2 ? true : undefined;
          },
          10000,
          'the deduplicated jobs to run once the queue resumed',
        );
        expect(await jobsFor(ANY_STATE, JobName.RefreshMetrics, repositoryId)).toHaveLength(1);
        expect(await jobsFor(ANY_STATE, JobName.IndexRepository, repositoryId)).toHaveLength(1);
      });

      it('a failed workflow run asks for a CI failure analysis', async () => {
        const repo = newGithubRepo('ci-failure');
        const payload = failedWorkflowRun(repo);
        await settled(await sendGithub('workflow_run', payload), 'processed');
        const repositoryId = await repositoryUuid('github', repo.id);
        const [run] = await app().dataSource.query<{ id: string; conclusion: string }[]>(
          `SELECT id, conclusion FROM ci_runs WHERE repository_id = $1 AND external_id = $2`,
          [repositoryId, String(obj(payload.workflow_run).id)],
        );
        expect(run.conclusion).toBe('failure');
        const [job] = await eventually(
          async () => {
            const jobs = await jobsFor(ANY_STATE, JobName.AnalyzeCiFailure, repositoryId);
            return jobs.length > 0 ? jobs : undefined;
          },
          10000,
          'an analysis.ci-failure job',
        );
        expect(job.data).toEqual({ repositoryId });
      });
    });

    describe('identities', () => {
      interface IdentityRow {
        id: string;
        person_id: string | null;
        external_id: string | null;
        email: string | null;
        email_verified: boolean;
      }

      const identityOf = async (
        provider: string,
        match: { externalId?: string; email?: string },
      ): Promise<IdentityRow> => {
        const [row] = await app().dataSource.query<IdentityRow[]>(
          `SELECT id, person_id, external_id, email, email_verified FROM identities
           WHERE provider = $1 AND ($2::text IS NULL OR external_id = $2)
             AND ($3::text IS NULL OR lower(email) = lower($3))`,
          [provider, match.externalId ?? null, match.email ?? null],
        );
        expect(row).toBeDefined();
        return row;
      };

      it('a commit author known only by email becomes an email-only identity with a person', async () => {
        const author = { name: `Nia ${tag}`, email: `Nia.${tag}@Example.com` };
        const repo = newGithubRepo('email-only');
        const id = await sendGithub('push', githubPush(repo, [{ sha: sha(), author }]));
        await settled(id, 'processed');
        const identity = await identityOf('github', { email: author.email });
        expect(identity).toMatchObject({
          external_id: null,
          email: author.email.toLowerCase(),
          email_verified: false,
        });
        expect(identity.person_id).not.toBeNull();
        const person = await app().request('GET', `/api/v1/people/${identity.person_id}`);
        expect(person.status).toBe(200);
        expect(person.json<PersonDetail>()).toMatchObject({
          displayName: author.name,
          primaryEmail: author.email.toLowerCase(),
          identities: [{ id: identity.id, provider: 'github', externalId: null }],
        });
      });

      it('accounts on two forges with the same verified email are one person', async () => {
        const email = `grace.${tag}@example.com`;
        const gitlabUserId = randomInt(1_000_000, 2_000_000_000);
        const giteaUserId = randomInt(1_000_000, 2_000_000_000);
        const now = new Date().toISOString();

        const gitlab = JSON.stringify({
          object_kind: 'merge_request',
          event_type: 'merge_request',
          user: {
            id: gitlabUserId,
            username: `grace-${tag}`,
            name: 'Grace Hopper',
            email,
            avatar_url: 'https://gitlab.example.com/grace.png',
          },
          project: {
            id: randomInt(1_000_000, 2_000_000_000),
            name: 'compiler',
            path_with_namespace: `behaviour-${tag}/compiler`,
            web_url: `https://gitlab.example.com/behaviour-${tag}/compiler`,
            default_branch: 'main',
            visibility_level: 0,
          },
          object_attributes: {
            id: randomInt(1_000_000, 2_000_000_000),
            iid: 1,
            title: 'Add a compiler',
            description: 'First one',
            state: 'opened',
            action: 'open',
            source_branch: 'feature',
            target_branch: 'main',
            author_id: gitlabUserId,
            created_at: now,
            updated_at: now,
            url: `https://gitlab.example.com/behaviour-${tag}/compiler/-/merge_requests/1`,
            last_commit: { id: sha() },
          },
          labels: [],
        });
        const fromGitlab = await app().request('POST', '/webhooks/gitlab', {
          body: gitlab,
          token: null,
          headers: {
            'content-type': 'application/json',
            'x-gitlab-event': 'Merge Request Hook',
            'x-gitlab-token': GITLAB_TOKEN,
            'x-gitlab-event-uuid': randomUUID(),
          },
        });
        expect(fromGitlab.status).toBe(202);
        await settled(fromGitlab.json<{ id: string }>().id, 'processed');

        const giteaUser = {
          id: giteaUserId,
          login: `ghopper-${tag}`,
          full_name: 'Grace B. Hopper',
          email,
          avatar_url: 'https://gitea.example.com/grace.png',
        };
        const gitea = JSON.stringify({
          action: 'opened',
          number: 1,
          pull_request: {
            id: randomInt(1_000_000, 2_000_000_000),
            number: 1,
            user: giteaUser,
            title: 'Add a linker',
            body: '',
            state: 'open',
            merged: false,
            head: { ref: 'feature', sha: sha() },
            base: { ref: 'main', sha: sha() },
            html_url: `https://gitea.example.com/behaviour-${tag}/linker/pulls/1`,
            labels: [],
            created_at: now,
            updated_at: now,
          },
          repository: {
            id: randomInt(1_000_000, 2_000_000_000),
            name: 'linker',
            full_name: `behaviour-${tag}/linker`,
            html_url: `https://gitea.example.com/behaviour-${tag}/linker`,
            default_branch: 'main',
            private: false,
          },
          sender: giteaUser,
        });
        const fromGitea = await app().request('POST', '/webhooks/gitea', {
          body: gitea,
          token: null,
          headers: {
            'content-type': 'application/json',
            'x-gitea-event': 'pull_request',
            'x-gitea-delivery': randomUUID(),
            'x-gitea-signature': createHmac('sha256', GITEA_SECRET).update(gitea).digest('hex'),
          },
        });
        expect(fromGitea.status).toBe(202);
        await settled(fromGitea.json<{ id: string }>().id, 'processed');

        const onGitlab = await identityOf('gitlab', { externalId: String(gitlabUserId) });
        const onGitea = await identityOf('gitea', { externalId: String(giteaUserId) });
        expect(onGitlab.email_verified).toBe(true);
        expect(onGitea.email_verified).toBe(true);
        expect(onGitlab.person_id).not.toBeNull();
        expect(onGitea.person_id).toBe(onGitlab.person_id);
        const person = await app().request('GET', `/api/v1/people/${onGitlab.person_id}`);
        expect(
          person
            .json<PersonDetail>()
            .identities.map((i) => i.provider)
            .sort(),
        ).toEqual(['gitea', 'gitlab']);
      });
    });

    describe('people administration API', () => {
      const ADMIN = '/api/v1/admin';
      const people = { ada: randomUUID(), bob: randomUUID(), cy: randomUUID(), dee: randomUUID() };
      const identities = {
        adaGithub: randomUUID(),
        adaGitlab: randomUUID(),
        bob: randomUUID(),
        cy: randomUUID(),
        loginOnly: randomUUID(),
        emailOnly: randomUUID(),
      };

      beforeAll(async () => {
        await app().dataSource.query(
          `INSERT INTO people (id, display_name, primary_email) VALUES
             ($1, 'Ada', 'ada-${tag}@example.com'), ($2, 'Bob', NULL),
             ($3, NULL, NULL), ($4, 'Dee', NULL)`,
          [people.ada, people.bob, people.cy, people.dee],
        );
        await app().dataSource.query(
          `INSERT INTO identities (id, person_id, provider, external_id, login, name, email) VALUES
             ($1, $7, 'github', 'ada-gh-${tag}', 'ada-${tag}', 'Ada L', 'ada-${tag}@example.com'),
             ($2, $7, 'gitlab', 'ada-gl-${tag}', 'ada-${tag}', 'Ada L', NULL),
             ($3, $8, 'github', 'bob-gh-${tag}', 'bob-${tag}', 'Bob B', NULL),
             ($4, $9, 'gitea', 'cy-gt-${tag}', 'cy-${tag}', NULL, 'cy-${tag}@example.com'),
             ($5, $10, 'gitea', 'lo-gt-${tag}', 'lo-${tag}', NULL, NULL),
             ($6, $10, 'github', NULL, NULL, NULL, 'eo-${tag}@example.com')`,
          [
            identities.adaGithub,
            identities.adaGitlab,
            identities.bob,
            identities.cy,
            identities.loginOnly,
            identities.emailOnly,
            people.ada,
            people.bob,
            people.cy,
            people.dee,
          ],
        );
      });

      const person = async (id: string) => app().request('GET', `/api/v1/people/${id}`);
      const identityIds = (detail: PersonDetail) => detail.identities.map((i) => i.id).sort();
      const personOf = async (identityId: string): Promise<string | null> => {
        const [row] = await app().dataSource.query<{ person_id: string | null }[]>(
          'SELECT person_id FROM identities WHERE id = $1',
          [identityId],
        );
        return row.person_id;
      };

      it('documents the routes in the OpenAPI document', async () => {
        const doc = await app().request('GET', '/docs-json', { token: null });
        const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
        expect(paths).toEqual(
          expect.arrayContaining([
            `${ADMIN}/people/{personId}/identities`,
            `${ADMIN}/people/merge`,
            `${ADMIN}/identities/{identityId}/unlink`,
          ]),
        );
      });

      it('answers 401 without a key and changes nothing', async () => {
        const calls: Array<[string, Json]> = [
          [`${ADMIN}/people/${people.ada}/identities`, { identityId: identities.cy }],
          [`${ADMIN}/people/merge`, { sourcePersonId: people.bob, targetPersonId: people.ada }],
          [`${ADMIN}/identities/${identities.bob}/unlink`, {}],
        ];
        for (const [path, json] of calls) {
          const response = await app().request('POST', path, { json, token: null });
          expect(response.status).toBe(401);
          expect(response.json<ErrorBody>().code).toBe('UNAUTHORIZED');
        }
        expect(await personOf(identities.cy)).toBe(people.cy);
        expect(await personOf(identities.bob)).toBe(people.bob);
      });

      it('answers 403 to a key that may only read, and changes nothing', async () => {
        const created = await app().request('POST', '/api/v1/admin/api-keys', {
          json: { name: `people reader ${tag}`, scopes: ['read'] },
        });
        expect(created.status).toBe(201);
        const token = created.json<{ key: string }>().key;
        const response = await app().request('POST', `${ADMIN}/people/${people.ada}/identities`, {
          json: { identityId: identities.cy },
          token,
        });
        expect(response.status).toBe(403);
        expect(response.json<ErrorBody>().code).toBe('FORBIDDEN');
        expect((await app().request('GET', `/api/v1/people/${people.cy}`, { token })).status).toBe(
          200,
        );
        expect(await personOf(identities.cy)).toBe(people.cy);
      });

      it('answers 400 for ids that are not UUIDs, bad bodies and a merge with itself', async () => {
        const bad: Array<[string, Json]> = [
          [`${ADMIN}/people/not-a-uuid/identities`, { identityId: identities.cy }],
          [`${ADMIN}/people/${people.ada}/identities`, { identityId: 'nope' }],
          [`${ADMIN}/people/${people.ada}/identities`, {}],
          [`${ADMIN}/people/${people.ada}/identities`, { identityId: identities.cy, extra: true }],
          [`${ADMIN}/people/merge`, { sourcePersonId: people.bob }],
          [`${ADMIN}/people/merge`, { sourcePersonId: 'x', targetPersonId: people.ada }],
          [`${ADMIN}/people/merge`, { sourcePersonId: people.ada, targetPersonId: people.ada }],
          [`${ADMIN}/identities/not-a-uuid/unlink`, {}],
        ];
        for (const [path, json] of bad) {
          const response = await app().request('POST', path, { json });
          expect({ path, json, status: response.status }).toEqual({ path, json, status: 400 });
          expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
        }
        expect((await person(people.ada)).status).toBe(200);
      });

      it('answers 404 for an unknown person or identity and changes nothing', async () => {
        const unknown = randomUUID();
        const answers = [
          await app().request('POST', `${ADMIN}/people/${unknown}/identities`, {
            json: { identityId: identities.cy },
          }),
          await app().request('POST', `${ADMIN}/people/${people.ada}/identities`, {
            json: { identityId: unknown },
          }),
          await app().request('POST', `${ADMIN}/people/merge`, {
            json: { sourcePersonId: people.bob, targetPersonId: unknown },
          }),
          await app().request('POST', `${ADMIN}/people/merge`, {
            json: { sourcePersonId: unknown, targetPersonId: people.bob },
          }),
          await app().request('POST', `${ADMIN}/identities/${unknown}/unlink`, { json: {} }),
        ];
        for (const answer of answers) {
          expect(answer.status).toBe(404);
          expect(answer.json<ErrorBody>()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
          expect(answer.json<ErrorBody>().message).toContain(unknown);
        }
        expect(await personOf(identities.cy)).toBe(people.cy);
        expect(await personOf(identities.bob)).toBe(people.bob);
        expect((await person(people.bob)).status).toBe(200);
      });

      it('links an identity to a person; the person it leaves empty is deleted', async () => {
        const resolver = app().app.select(UsersModule).get(IdentityResolver, { strict: true });
        const forget = jest.spyOn(resolver, 'forget');
        try {
          const response = await app().request('POST', `${ADMIN}/people/${people.ada}/identities`, {
            json: { identityId: identities.cy },
          });
          expect(response.status).toBe(200);
          const linked = response.json<PersonDetail>();
          expect(linked.id).toBe(people.ada);
          expect(identityIds(linked)).toEqual(
            [identities.adaGithub, identities.adaGitlab, identities.cy].sort(),
          );
          // The processor's resolver (one instance app-wide) dropped its cached lookups.
          expect(forget).toHaveBeenCalled();
        } finally {
          forget.mockRestore();
        }
        const read = await person(people.ada);
        expect(identityIds(read.json<PersonDetail>())).toEqual(
          [identities.adaGithub, identities.adaGitlab, identities.cy].sort(),
        );
        expect((await person(people.cy)).status).toBe(404);
      });

      it('linking an identity a person already has changes nothing', async () => {
        const response = await app().request('POST', `${ADMIN}/people/${people.ada}/identities`, {
          json: { identityId: identities.adaGithub },
        });
        expect(response.status).toBe(200);
        expect(identityIds(response.json<PersonDetail>())).toEqual(
          [identities.adaGithub, identities.adaGitlab, identities.cy].sort(),
        );
      });

      it('a person who keeps other identities is not deleted by a link', async () => {
        const response = await app().request('POST', `${ADMIN}/people/${people.bob}/identities`, {
          json: { identityId: identities.adaGitlab },
        });
        expect(response.status).toBe(200);
        expect(identityIds(response.json<PersonDetail>())).toEqual(
          [identities.bob, identities.adaGitlab].sort(),
        );
        const ada = await person(people.ada);
        expect(ada.status).toBe(200);
        expect(identityIds(ada.json<PersonDetail>())).toEqual(
          [identities.adaGithub, identities.cy].sort(),
        );
      });

      it('merges two people: every identity moves to the target, the source is deleted', async () => {
        const response = await app().request('POST', `${ADMIN}/people/merge`, {
          json: { sourcePersonId: people.ada, targetPersonId: people.bob },
        });
        expect(response.status).toBe(200);
        const merged = response.json<PersonDetail>();
        expect(merged).toMatchObject({
          id: people.bob,
          // The target keeps its name; the source's email fills the one it lacked.
          displayName: 'Bob',
          primaryEmail: `ada-${tag}@example.com`,
        });
        expect(identityIds(merged)).toEqual(
          [identities.bob, identities.adaGitlab, identities.adaGithub, identities.cy].sort(),
        );
        expect((await person(people.ada)).status).toBe(404);
        expect(identityIds((await person(people.bob)).json<PersonDetail>())).toEqual(
          identityIds(merged),
        );
      });

      it('unlinks an identity into a person of its own, named after it', async () => {
        const response = await app().request(
          'POST',
          `${ADMIN}/identities/${identities.cy}/unlink`,
          { json: {} },
        );
        expect(response.status).toBe(200);
        const own = response.json<PersonDetail>();
        expect(own.id).not.toBe(people.bob);
        expect(own).toMatchObject({
          // No name: the login names the new person.
          displayName: `cy-${tag}`,
          primaryEmail: `cy-${tag}@example.com`,
          identities: [{ id: identities.cy, provider: 'gitea' }],
        });
        expect(identityIds((await person(own.id)).json<PersonDetail>())).toEqual([identities.cy]);
        expect(identityIds((await person(people.bob)).json<PersonDetail>())).toEqual(
          [identities.bob, identities.adaGitlab, identities.adaGithub].sort(),
        );

        const named = await app().request(
          'POST',
          `${ADMIN}/identities/${identities.adaGithub}/unlink`,
        );
        expect(named.status).toBe(200);
        expect(named.json<PersonDetail>().displayName).toBe('Ada L');

        const byEmail = await app().request(
          'POST',
          `${ADMIN}/identities/${identities.emailOnly}/unlink`,
        );
        expect(byEmail.status).toBe(200);
        expect(byEmail.json<PersonDetail>()).toMatchObject({
          displayName: `eo-${tag}@example.com`,
          identities: [{ id: identities.emailOnly, externalId: null }],
        });
        expect(identityIds((await person(people.dee)).json<PersonDetail>())).toEqual([
          identities.loginOnly,
        ]);
      });

      it('unlinking the only identity of a person keeps that person', async () => {
        const response = await app().request(
          'POST',
          `${ADMIN}/identities/${identities.loginOnly}/unlink`,
        );
        expect(response.status).toBe(200);
        expect(response.json<PersonDetail>()).toMatchObject({
          id: people.dee,
          displayName: 'Dee',
          identities: [{ id: identities.loginOnly }],
        });
      });
    });
  });
});
