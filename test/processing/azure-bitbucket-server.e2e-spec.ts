import { randomUUID } from 'node:crypto';
import {
  Json,
  Forge,
  Delivery,
  AZURE_USER,
  AZURE_PASSWORDS,
  SERVER_SECRET,
  run,
  at,
  byExternalId,
  basic,
  PROJECT,
  REPO,
  ADA,
  BOB,
  CAROL,
  SUBSCRIPTION,
  AZ,
  azurePr,
  azureDeliveries,
  azureStaleDeliveries,
  SREPO,
  SBOB,
  BBS,
  serverDeliveries,
  serverStaleDeliveries,
} from '../fixtures/azure-bitbucket-server-scenario';
import { SERVER_PING } from '../fixtures/bitbucket-server/builders';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { hubSignature } from '../support/signing';

/**
 * Azure DevOps and Bitbucket Data Center deliveries through the real HTTP endpoint, the queue and
 * the worker, then the engineering record they leave: status codes, dedup, order independence
 * and dead letters as for the other forges. Ids and names are unique to the run (the database
 * is shared with the other test files).
 */
// ─── Sending ─────────────────────────────────────────────────────────────────────────────────

function headersOf(delivery: Delivery, body: string, requestId: string): Record<string, string> {
  if (delivery.forge === 'azure-devops') {
    return {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'VSServices/16.255.35105.2',
      authorization: basic(AZURE_USER, AZURE_PASSWORDS[delivery.name.length % 2]),
    };
  }
  return {
    'content-type': 'application/json; charset=UTF-8',
    'user-agent': 'Atlassian HttpClient 4.2.0 / Bitbucket-9.4.1 (9004001) / Default',
    'x-event-key': delivery.eventKey ?? '',
    'x-request-id': requestId,
    'x-hub-signature': hubSignature(body, SERVER_SECRET),
  };
}

interface Sent {
  delivery: Delivery;
  id: string;
  body: string;
  headers: Record<string, string>;
}

describe('processing Azure DevOps and Bitbucket Data Center deliveries (HTTP → queue → worker → records)', () => {
  let t: TestApp;
  const sent = new Map<string, Sent>();

  const rows = <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    t.dataSource.query<T[]>(sql, params);

  const send = async (deliveries: Delivery[]): Promise<void> => {
    for (const delivery of deliveries) {
      const body = JSON.stringify(delivery.payload);
      const headers = headersOf(delivery, body, randomUUID());
      const response = await t.request('POST', `/webhooks/${delivery.forge}`, {
        body,
        headers,
        token: null,
      });
      expect({ delivery: delivery.name, status: response.status }).toEqual({
        delivery: delivery.name,
        status: 202,
      });
      const answer = response.json<{ id: string; status: string }>();
      expect(answer.status).toBe('accepted');
      sent.set(`${delivery.forge}:${delivery.name}`, { delivery, id: answer.id, body, headers });
    }
  };

  const settle = (deliveries: Delivery[], what: string): Promise<true> => {
    const ids = deliveries.map((d) => sentDelivery(d.forge, d.name).id);
    return eventually(
      async () => {
        const [row] = await rows<{ n: string }>(
          `SELECT count(*) AS n FROM deliveries WHERE id = ANY($1::uuid[]) AND status IN ('processed', 'ignored', 'dead')`,
          [ids],
        );
        return Number(row.n) === ids.length ? true : undefined;
      },
      25_000,
      what,
    );
  };

  const sentDelivery = (forge: Forge, name: string): Sent => {
    const found = sent.get(`${forge}:${name}`);
    if (!found) throw new Error(`${forge}:${name} was not sent`);
    return found;
  };

  const repositoryId = async (provider: Forge, externalId: string): Promise<string> => {
    const found = await rows<{ id: string }>(
      'SELECT id FROM repositories WHERE provider = $1 AND external_id = $2',
      [provider, externalId],
    );
    expect(found).toHaveLength(1);
    return found[0].id;
  };

  beforeAll(async () => {
    t = await startTestApp({
      WORKER_CONCURRENCY: '4',
      AZURE_DEVOPS_WEBHOOK_USERNAME: AZURE_USER,
      AZURE_DEVOPS_WEBHOOK_PASSWORD: AZURE_PASSWORDS.join(','),
      BITBUCKET_SERVER_WEBHOOK_SECRET: SERVER_SECRET,
    });
    const current = [...azureDeliveries(), ...serverDeliveries()];
    await send(current);
    await settle(
      current,
      'every Azure DevOps and Bitbucket Data Center delivery to reach a final status',
    );
    const stale = [...azureStaleDeliveries(), ...serverStaleDeliveries()];
    await send(stale);
    await settle(stale, 'the stale deliveries to reach a final status');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('every delivery reaches the status its event calls for; only malformed ones carry an error', async () => {
    expect(sent.size).toBe(
      azureDeliveries().length +
        azureStaleDeliveries().length +
        serverDeliveries().length +
        serverStaleDeliveries().length,
    );
    for (const { delivery, id } of sent.values()) {
      const [row] = await rows<{ status: string; last_error: string | null }>(
        'SELECT status, last_error FROM deliveries WHERE id = $1',
        [id],
      );
      expect({ delivery: `${delivery.forge}:${delivery.name}`, status: row.status }).toEqual({
        delivery: `${delivery.forge}:${delivery.name}`,
        status: delivery.expected,
      });
      if (delivery.expected !== 'dead') expect(row.last_error).toBeNull();
    }
  });

  it.each([
    ['azure-devops', 'Azure DevOps git.pullrequest.created payload: resource.pullRequestId'],
    ['bitbucket-server', 'Bitbucket Data Center pr:opened payload: pullRequest.id'],
  ] as const)(
    '%s: an authenticated but malformed payload is a dead letter after one attempt',
    async (forge, problem) => {
      const { id } = sentDelivery(forge, 'malformed-pr');
      const [row] = await rows<{ status: string; attempts: number; last_error: string }>(
        'SELECT status, attempts, last_error FROM deliveries WHERE id = $1',
        [id],
      );
      expect(row).toMatchObject({ status: 'dead', attempts: 1 });
      expect(row.last_error).toContain(problem);
      const letters = await t.request('GET', `/api/v1/admin/dead-letters?limit=200`);
      expect(letters.status).toBe(200);
      const items = letters.json<{ items: Array<{ id: string; provider: string }> }>().items;
      expect(items).toContainEqual(expect.objectContaining({ id, provider: forge }));
    },
  );

  it('a redelivered event is a duplicate; the same event to another subscription is another delivery', async () => {
    const completed = sentDelivery('azure-devops', 'pr-completed');
    const again = await t.request('POST', '/webhooks/azure-devops', {
      body: completed.body,
      headers: completed.headers,
      token: null,
    });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual({ id: completed.id, status: 'duplicate' });

    const otherSubscription: Json = {
      ...(JSON.parse(completed.body) as Json),
      subscriptionId: randomUUID(),
    };
    const body = JSON.stringify(otherSubscription);
    const other = await t.request('POST', '/webhooks/azure-devops', {
      body,
      headers: completed.headers,
      token: null,
    });
    expect(other.status).toBe(202);
    const otherId = other.json<{ id: string }>().id;
    await eventually(async () => {
      const [row] = await rows<{ status: string }>('SELECT status FROM deliveries WHERE id = $1', [
        otherId,
      ]);
      return row.status === 'processed' ? true : undefined;
    });
    const stored = await rows<{ provider_delivery_id: string }>(
      `SELECT provider_delivery_id FROM deliveries WHERE id = ANY($1::uuid[]) ORDER BY provider_delivery_id`,
      [[completed.id, otherId]],
    );
    expect(stored.map((r) => r.provider_delivery_id).sort()).toEqual(
      [
        `${SUBSCRIPTION}:${(JSON.parse(completed.body) as Json).id as string}`,
        `${otherSubscription.subscriptionId as string}:${otherSubscription.id as string}`,
      ].sort(),
    );
    // Four deliveries name the pull request: one row.
    const [pr] = await rows<{ n: string }>(
      'SELECT count(*) AS n FROM pull_requests WHERE repository_id = $1',
      [await repositoryId('azure-devops', REPO.id)],
    );
    expect(Number(pr.n)).toBe(1);

    const server = sentDelivery('bitbucket-server', 'pr-merged');
    const serverAgain = await t.request('POST', '/webhooks/bitbucket-server', {
      body: server.body,
      headers: server.headers,
      token: null,
    });
    expect(serverAgain.status).toBe(200);
    expect(serverAgain.json()).toEqual({ id: server.id, status: 'duplicate' });
  });

  it('stores neither the Authorization header nor the signature with the delivery', async () => {
    const azure = sentDelivery('azure-devops', 'push-main');
    const server = sentDelivery('bitbucket-server', 'pr-opened');
    const stored = await rows<{
      id: string;
      headers: Record<string, string>;
      provider_delivery_id: string;
      repository: string;
    }>(
      'SELECT id, headers, provider_delivery_id, repository FROM deliveries WHERE id = ANY($1::uuid[])',
      [[azure.id, server.id]],
    );
    for (const row of stored) {
      expect(Object.keys(row.headers)).not.toContain('authorization');
      expect(Object.keys(row.headers)).not.toContain('x-hub-signature');
      expect(JSON.stringify(row.headers)).not.toContain(AZURE_PASSWORDS[1]);
    }
    const byId = new Map(stored.map((row) => [row.id, row]));
    expect(byId.get(azure.id)).toMatchObject({
      provider_delivery_id: `${SUBSCRIPTION}:${(azure.delivery.payload as { id: string }).id}`,
      repository: `${PROJECT.name}/${REPO.name}`,
    });
    expect(byId.get(server.id)).toMatchObject({
      provider_delivery_id: server.headers['x-request-id'],
      repository: `${SREPO.projectKey}/${SREPO.slug}`,
    });
  });

  describe('Azure DevOps', () => {
    let repo: string;

    beforeAll(async () => {
      repo = await repositoryId('azure-devops', REPO.id);
    });

    it('records the repository as project/repository, and each commit once', async () => {
      const [row] = await rows<{ full_name: string; name: string; default_branch: string }>(
        'SELECT full_name, name, default_branch FROM repositories WHERE id = $1',
        [repo],
      );
      expect(row).toEqual({
        full_name: `${PROJECT.name}/${REPO.name}`,
        name: REPO.name,
        default_branch: 'main',
      });
      const commits = await rows<{ sha: string; message: string; email: string }>(
        `SELECT c.sha, c.message, i.email FROM commits c LEFT JOIN identities i ON i.id = c.author_identity_id
         WHERE c.repository_id = $1 ORDER BY c.message`,
        [repo],
      );
      expect(commits.map((c) => [c.sha, c.message, c.email])).toEqual([
        [AZ.commits[0], 'Change 0', `commit-0-${run}@example.test`],
        [AZ.commits[1], 'Change 1', `commit-1-${run}@example.test`],
        [AZ.commits[2], 'Change 2', `commit-2-${run}@example.test`],
      ]);
    });

    it('keeps the pull request merged although an older update came last, with every vote as a review', async () => {
      const [pr] = await rows<{
        id: string;
        number: number;
        state: string;
        merged_at: Date;
        author: string;
        merged_by: string;
        head_ref: string;
      }>(
        `SELECT p.id, p.number, p.state, p.merged_at, p.head_ref, a.external_id AS author, m.external_id AS merged_by
         FROM pull_requests p
         LEFT JOIN identities a ON a.id = p.author_identity_id
         LEFT JOIN identities m ON m.id = p.merged_by_identity_id
         WHERE p.repository_id = $1`,
        [repo],
      );
      expect(pr).toMatchObject({
        number: AZ.prId,
        state: 'merged',
        author: ADA.id,
        merged_by: BOB.id,
        head_ref: 'feature',
      });
      expect(pr.merged_at.toISOString()).toBe(at(20));
      const reviews = await rows<{ external_id: string; state: string; author: string }>(
        `SELECT r.external_id, r.state, i.external_id AS author
         FROM reviews r JOIN identities i ON i.id = r.author_identity_id
         WHERE r.pull_request_id = $1`,
        [pr.id],
      );
      expect(reviews.sort(byExternalId)).toEqual(
        [
          { external_id: `${REPO.id}:${AZ.prId}:${BOB.id}:10`, state: 'approved', author: BOB.id },
          {
            external_id: `${REPO.id}:${AZ.prId}:${CAROL.id}:-5`,
            state: 'changes_requested',
            author: CAROL.id,
          },
          {
            external_id: `${REPO.id}:${AZ.prId}:${CAROL.id}:10`,
            state: 'approved',
            author: CAROL.id,
          },
        ].sort(byExternalId),
      );
    });

    it('records both builds as pipeline runs, the pull request build naming its pull request', async () => {
      const runs = await rows<{
        external_id: string;
        conclusion: string;
        head_sha: string;
        pull_request_numbers: number[];
        source: string;
      }>(
        'SELECT external_id, conclusion, head_sha, pull_request_numbers, source FROM ci_runs WHERE repository_id = $1 ORDER BY completed_at',
        [repo],
      );
      expect(runs).toEqual([
        {
          external_id: String(AZ.failedBuildId),
          conclusion: 'failure',
          head_sha: AZ.commits[2],
          pull_request_numbers: [AZ.prId],
          source: 'pipeline',
        },
        {
          external_id: String(AZ.buildId),
          conclusion: 'success',
          head_sha: AZ.commits[2],
          pull_request_numbers: [],
          source: 'pipeline',
        },
      ]);
    });

    it('records each release deployment with its final status', async () => {
      const deployments = await rows<{
        environment: string;
        sha: string;
        latest_state: string;
        ref: string;
      }>(
        'SELECT environment, sha, latest_state, ref FROM deployments WHERE repository_id = $1 ORDER BY environment',
        [repo],
      );
      expect(deployments).toEqual([
        { environment: 'production', sha: AZ.commits[2], latest_state: 'success', ref: 'main' },
        { environment: 'staging', sha: AZ.commits[2], latest_state: 'failure', ref: 'main' },
      ]);
    });

    it('records the work item as an issue of the project, still resolved after an older update', async () => {
      const project = await repositoryId('azure-devops', PROJECT.id);
      const [issue] = await rows<{
        number: number;
        state: string;
        closed_at: Date;
        labels: string[];
        title: string;
      }>('SELECT number, state, closed_at, labels, title FROM issues WHERE repository_id = $1', [
        project,
      ]);
      expect(issue).toMatchObject({ number: AZ.workItemId, state: 'closed', labels: ['ingest'] });
      expect(issue.closed_at.toISOString()).toBe(at(30));
      const [entry] = await rows<{ full_name: string }>(
        'SELECT full_name FROM repositories WHERE id = $1',
        [project],
      );
      expect(entry.full_name).toBe(PROJECT.name);
    });
  });

  describe('Bitbucket Data Center', () => {
    let repo: string;

    beforeAll(async () => {
      repo = await repositoryId('bitbucket-server', String(SREPO.id));
    });

    it('records the repository as PROJECT/slug', async () => {
      const [row] = await rows<{ full_name: string; private: boolean }>(
        'SELECT full_name, private FROM repositories WHERE id = $1',
        [repo],
      );
      expect(row).toEqual({ full_name: `${SREPO.projectKey}/${SREPO.slug}`, private: true });
    });

    it('keeps the pull request merged after an older modification, with its actions, review and comments', async () => {
      const [pr] = await rows<{
        id: string;
        state: string;
        merged_at: Date;
        merged_by: string;
        title: string;
      }>(
        `SELECT p.id, p.state, p.merged_at, p.title, m.external_id AS merged_by
         FROM pull_requests p LEFT JOIN identities m ON m.id = p.merged_by_identity_id
         WHERE p.repository_id = $1 AND p.number = $2`,
        [repo, BBS.prId],
      );
      expect(pr).toMatchObject({ state: 'merged', merged_by: String(SBOB.id) });
      expect(pr.merged_at.toISOString()).toBe(at(20));
      const actions = await rows<{ action: string }>(
        'SELECT action FROM pull_request_events WHERE pull_request_id = $1 ORDER BY occurred_at',
        [pr.id],
      );
      expect(actions.map((a) => a.action)).toEqual(['opened', 'synchronize', 'edited', 'merged']);
      const reviews = await rows<{ external_id: string; state: string }>(
        'SELECT external_id, state FROM reviews WHERE pull_request_id = $1 ORDER BY external_id',
        [pr.id],
      );
      expect(reviews).toEqual([
        { external_id: `${SREPO.id}:${BBS.prId}:${SBOB.id}:approved`, state: 'approved' },
        {
          external_id: `${SREPO.id}:${BBS.prId}:${SBOB.id}:needs_work`,
          state: 'changes_requested',
        },
      ]);
      const comments = await rows<{
        external_id: string;
        target_type: string;
        target_number: number | null;
        target_sha: string | null;
        path: string | null;
        line: number | null;
      }>(
        'SELECT external_id, target_type, target_number, target_sha, path, line FROM comments WHERE repository_id = $1 ORDER BY created_at',
        [repo],
      );
      expect(comments).toEqual([
        {
          external_id: String(BBS.commentOnPr),
          target_type: 'pull_request',
          target_number: BBS.prId,
          target_sha: null,
          path: 'src/bitbucket-server.ts',
          line: 7,
        },
        {
          external_id: String(BBS.commentOnCommit),
          target_type: 'commit',
          target_number: null,
          target_sha: BBS.head,
          path: null,
          line: null,
        },
      ]);
    });

    it('creates account identities with the email Bitbucket holds for them', async () => {
      const [bob] = await rows<{
        login: string;
        email: string;
        email_verified: boolean;
        person_id: string | null;
      }>(
        `SELECT login, email, email_verified, person_id FROM identities WHERE provider = 'bitbucket-server' AND external_id = $1`,
        [String(SBOB.id)],
      );
      expect(bob).toMatchObject({
        login: SBOB.name,
        email: SBOB.emailAddress,
        email_verified: true,
      });
      expect(bob.person_id).not.toBeNull();
    });
  });

  describe('named sources', () => {
    it('take Azure DevOps credentials as username:password and refuse anything else', async () => {
      const slug = `azure-${run}`;
      const refused = await t.request('POST', '/api/v1/admin/sources', {
        json: { provider: 'azure-devops', slug, secrets: ['no-colon-in-here'] },
      });
      expect(refused.status).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(refused.text).not.toContain('no-colon-in-here');

      const created = await t.request('POST', '/api/v1/admin/sources', {
        json: { provider: 'azure-devops', slug, secrets: ['team-hook:team-password-1'] },
      });
      expect(created.status).toBe(201);
      expect(created.json()).toMatchObject({
        webhookPath: `/webhooks/azure-devops/${slug}`,
        secrets: [expect.objectContaining({ kind: 'basic' })],
      });
      const body = JSON.stringify(azurePr('git.pullrequest.created', 'active', 6, []));
      const post = (authorization: string) =>
        t.request('POST', `/webhooks/azure-devops/${slug}`, {
          body,
          headers: { 'content-type': 'application/json', authorization },
          token: null,
        });
      expect((await post(basic(AZURE_USER, AZURE_PASSWORDS[1]))).status).toBe(401);
      expect((await post(basic('team-hook', 'team-password-1'))).status).toBe(202);
    });

    it('live in a table that accepts any provider segment and nothing else (migration 0008)', async () => {
      const insert = (provider: string) =>
        rows(`INSERT INTO webhook_sources (provider, slug) VALUES ($1, $2) RETURNING id`, [
          provider,
          `check-${randomUUID().slice(0, 8)}`,
        ]);
      const inserted = await insert('some-future-forge');
      await rows('DELETE FROM webhook_sources WHERE id = $1', [(inserted[0] as { id: string }).id]);
      for (const provider of ['Azure DevOps', '', 'x'.repeat(40), 'bitbucket/server']) {
        await expect(insert(provider)).rejects.toThrow(/webhook_sources_provider_check/);
      }
    });

    it('take Bitbucket Data Center HMAC secrets', async () => {
      const slug = `bbs-${run}`;
      const created = await t.request('POST', '/api/v1/admin/sources', {
        json: { provider: 'bitbucket-server', slug, secrets: ['team-server-secret'] },
      });
      expect(created.status).toBe(201);
      expect(created.json()).toMatchObject({
        secrets: [expect.objectContaining({ kind: 'hmac' })],
      });
      const body = JSON.stringify(SERVER_PING);
      const response = await t.request('POST', `/webhooks/bitbucket-server/${slug}`, {
        body,
        headers: {
          'content-type': 'application/json',
          'x-event-key': 'diagnostics:ping',
          'x-request-id': randomUUID(),
          'x-hub-signature': hubSignature(body, 'team-server-secret'),
        },
        token: null,
      });
      expect(response.status).toBe(202);
    });
  });
});
