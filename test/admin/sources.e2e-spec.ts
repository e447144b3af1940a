import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { createHash, randomUUID } from 'node:crypto';
import {
  eventually,
  GITHUB_SECRET,
  startTestApp,
  TestApp,
  TestResponse,
} from '../support/test-app';
import { githubHeaders } from '../support/signing';

const SOURCES = '/api/v1/admin/sources';

/** The resolver caches a source for up to 5 s; an admin change must show within that. */
const CACHE_TTL_MS = 5000;

interface SecretSummary {
  id: string;
  kind: string;
  createdAt: string;
}

interface SourceView {
  id: string;
  provider: string;
  slug: string;
  webhookPath: string;
  description: string | null;
  enabled: boolean;
  repositoryFilter: string[];
  secretConfigured: boolean;
  secretCount: number;
  secretsRotatedAt: string | null;
  secrets: SecretSummary[];
  createdAt: string;
  updatedAt: string;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: { reason?: string };
}

interface DeliveryRow {
  id: string;
  provider: string;
  source: string;
  event: string;
  repository: string | null;
  status: string;
}

const newSecret = () => `source-secret-${randomUUID()}`;
const newSlug = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

type Json = Record<string, unknown>;

/** A real GitHub push (@octokit/webhooks-examples), moved to `repository`. */
function pushTo(repository: string): string {
  const all = examples as unknown as { name: string; examples: Json[] }[];
  const example = all.find((e) => e.name === 'push')?.examples[0];
  if (!example) throw new Error('@octokit/webhooks-examples has no push example');
  const payload = structuredClone(example);
  const [owner, name] = repository.split('/');
  payload.repository = {
    ...(payload.repository as Json),
    id: parseInt(createHash('sha1').update(repository).digest('hex').slice(0, 7), 16),
    full_name: repository,
    name,
    owner: { ...((payload.repository as Json).owner as Json), login: owner },
  };
  return JSON.stringify(payload);
}

describe('admin: webhook sources (real HTTP, PostgreSQL, Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const createSource = async (body: Record<string, unknown>): Promise<SourceView> => {
    const response = await t.request('POST', SOURCES, { json: body });
    expect(response.status).toBe(201);
    return response.json<SourceView>();
  };

  /** A push for `repository`, signed with `secret`, to /webhooks/github/<slug>. */
  const deliver = (slug: string, secret: string, repository = 'acme/api') => {
    const body = pushTo(repository);
    return t.request('POST', `/webhooks/github/${slug}`, {
      body,
      headers: githubHeaders(body, 'push', randomUUID(), secret),
      token: null,
    });
  };

  /** Sends until the answer has `status`; fails if that takes longer than the cache lifetime. */
  const answersWithin = (
    send: () => Promise<TestResponse>,
    status: number,
    what: string,
  ): Promise<TestResponse> =>
    eventually(
      async () => {
        const response = await send();
        return response.status === status ? response : undefined;
      },
      CACHE_TTL_MS + 2000,
      what,
    );

  const deliveryRow = async (id: string): Promise<DeliveryRow | undefined> =>
    (
      await t.dataSource.query<DeliveryRow[]>(
        'SELECT id, provider, source, event, repository, status FROM deliveries WHERE id = $1',
        [id],
      )
    )[0];

  const waitForStatus = (id: string, wanted: string) =>
    eventually(
      async () => ((await deliveryRow(id))?.status === wanted ? wanted : undefined),
      20000,
      `delivery ${id} ${wanted}`,
    );

  const deliveryCount = async (source: string): Promise<number> =>
    Number(
      (
        await t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM deliveries WHERE source = $1',
          [source],
        )
      )[0].n,
    );

  it('creates a named source; neither the answer nor GET ever contains the secret', async () => {
    const secret = newSecret();
    const slug = newSlug('platform');
    const response = await t.request('POST', SOURCES, {
      json: { provider: 'github', slug, description: 'Platform team', secrets: [secret] },
    });
    expect(response.status).toBe(201);
    expect(response.text).not.toContain(secret);
    expect(response.text).not.toContain('ciphertext');
    const created = response.json<SourceView>();
    expect(created).toMatchObject({
      provider: 'github',
      slug,
      webhookPath: `/webhooks/github/${slug}`,
      description: 'Platform team',
      enabled: true,
      repositoryFilter: [],
      secretConfigured: true,
      secretCount: 1,
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.secretsRotatedAt).not.toBeNull();
    expect(created.secrets).toHaveLength(1);
    expect(Object.keys(created.secrets[0]).sort()).toEqual(['createdAt', 'id', 'kind']);
    expect(created.secrets[0].kind).toBe('hmac');
    expect(Number.isNaN(Date.parse(created.secrets[0].createdAt))).toBe(false);

    const one = await t.request('GET', `${SOURCES}/${created.id}`);
    expect(one.status).toBe(200);
    expect(one.text).not.toContain(secret);
    expect(one.json<SourceView>()).toEqual(created);

    const list = await t.request('GET', SOURCES);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(secret);
    expect(list.json<SourceView[]>().find((s) => s.id === created.id)).toEqual(created);
  });

  it('stores the secret encrypted: the plaintext appears nowhere in webhook_sources', async () => {
    const secret = newSecret();
    const created = await createSource({
      provider: 'github',
      slug: newSlug('sealed'),
      secrets: [secret],
    });
    const [row] = await t.dataSource.query<
      { secrets: { id: string; kind: string; ciphertext: string }[]; raw: string; whole: string }[]
    >(
      `SELECT secrets, secrets::text AS raw, row_to_json(s)::text AS whole
       FROM webhook_sources s WHERE id = $1`,
      [created.id],
    );
    expect(row.secrets).toHaveLength(1);
    expect(row.secrets[0].id).toBe(created.secrets[0].id);
    expect(row.secrets[0].ciphertext).toMatch(
      /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/,
    );
    for (const text of [row.raw, row.whole]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(secret).toString('base64'));
      expect(text).not.toContain(Buffer.from(secret).toString('hex'));
    }
    // Two sources with the same secret do not share a ciphertext (random IV).
    const twin = await createSource({
      provider: 'github',
      slug: newSlug('twin'),
      secrets: [secret],
    });
    const [twinRow] = await t.dataSource.query<{ secrets: { ciphertext: string }[] }[]>(
      'SELECT secrets FROM webhook_sources WHERE id = $1',
      [twin.id],
    );
    expect(twinRow.secrets[0].ciphertext).not.toBe(row.secrets[0].ciphertext);
  });

  it('409 on a duplicate slug for the same provider; the same slug is fine for another provider', async () => {
    const slug = newSlug('dup');
    await createSource({ provider: 'github', slug, secrets: [newSecret()] });
    const again = await t.request('POST', SOURCES, {
      json: { provider: 'github', slug, secrets: [newSecret()] },
    });
    expect(again.status).toBe(409);
    expect(again.json<ErrorBody>()).toMatchObject({ statusCode: 409, code: 'CONFLICT' });
    expect(again.json<ErrorBody>().message).toContain(slug);
    const rows = await t.dataSource.query<{ provider: string }[]>(
      'SELECT provider FROM webhook_sources WHERE slug = $1',
      [slug],
    );
    expect(rows).toEqual([{ provider: 'github' }]);

    const otherProvider = await t.request('POST', SOURCES, {
      json: { provider: 'gitlab', slug, secrets: ['gitlab-token-123'] },
    });
    expect(otherProvider.status).toBe(201);
    expect(otherProvider.json<SourceView>().secrets[0].kind).toBe('token');
  });

  it('400 VALIDATION_FAILED on a bad provider, a bad slug, an unknown field, a short secret', async () => {
    const before = await t.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM webhook_sources',
    );
    const cases: [Record<string, unknown>, string][] = [
      [{ provider: 'sourcehut', slug: newSlug('bad') }, 'provider'],
      [{ provider: 'github', slug: 'Not A Slug' }, 'slug'],
      [{ provider: 'github', slug: '-leading-dash' }, 'slug'],
      [{ provider: 'github', slug: 'x'.repeat(64) }, 'slug'],
      [{ provider: 'github', slug: newSlug('extra'), colour: 'blue' }, 'colour should not exist'],
      [{ provider: 'github', slug: newSlug('short'), secrets: ['short'] }, 'secrets'],
      [{ provider: 'github', slug: newSlug('flag'), enabled: 'yes' }, 'enabled'],
      [{ slug: newSlug('noprov') }, 'provider'],
    ];
    for (const [body, mentioned] of cases) {
      const response = await t.request('POST', SOURCES, { json: body });
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(response.json<ErrorBody>()).toMatchObject({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(response.json<ErrorBody>().message).toContain(mentioned);
    }
    const after = await t.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM webhook_sources',
    );
    expect(after[0].n).toBe(before[0].n);

    const badId = await t.request('GET', `${SOURCES}/not-a-uuid`);
    expect(badId.status).toBe(400);
    expect(badId.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
    const unknownId = await t.request('GET', `${SOURCES}/${randomUUID()}`);
    expect(unknownId.status).toBe(404);
    expect(unknownId.json<ErrorBody>().code).toBe('NOT_FOUND');
  });

  it("400 VALIDATION_FAILED (not 500) for the reserved slug 'default'", async () => {
    const response = await t.request('POST', SOURCES, {
      json: { provider: 'github', slug: 'default', secrets: [newSecret()] },
    });
    expect(response.status).toBe(400);
    expect(response.json<ErrorBody>()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.json<ErrorBody>().message).toContain('slug');
  });

  it('a signed delivery to /webhooks/github/<slug> is stored with that source and processed; a wrong signature is 401', async () => {
    const secret = newSecret();
    const slug = newSlug('ingest');
    await createSource({ provider: 'github', slug, secrets: [secret] });

    const accepted = await deliver(slug, secret, 'acme/api');
    expect(accepted.status).toBe(202);
    const { id, status } = accepted.json<{ id: string; status: string }>();
    expect(status).toBe('accepted');
    expect(await deliveryRow(id)).toMatchObject({
      provider: 'github',
      source: slug,
      event: 'push',
      repository: 'acme/api',
    });
    await waitForStatus(id, 'processed');

    // Signed with the default source's secret, or with a made-up one: not this source's.
    for (const wrong of [GITHUB_SECRET, newSecret()]) {
      const rejected = await deliver(slug, wrong);
      expect(rejected.status).toBe(401);
      expect(rejected.json<ErrorBody>().code).toBe('INVALID_SIGNATURE');
      expect(rejected.text).not.toContain(secret);
    }
    // And this source's secret does not open the default source.
    const defaultSource = await t.request('POST', '/webhooks/github', {
      body: pushTo('acme/api'),
      headers: githubHeaders(pushTo('acme/api'), 'push', randomUUID(), secret),
      token: null,
    });
    expect(defaultSource.status).toBe(401);
    expect(await deliveryCount(slug)).toBe(1);
  });

  it('rotation: add keeps both secrets valid, rotate keeps only the new one, revoke removes one by id', async () => {
    const first = newSecret();
    const second = newSecret();
    const third = newSecret();
    const fourth = newSecret();
    const slug = newSlug('rotate');
    const source = await createSource({ provider: 'github', slug, secrets: [first] });
    expect((await deliver(slug, first)).status).toBe(202);
    expect((await deliver(slug, second)).status).toBe(401);

    const secretsUrl = `${SOURCES}/${source.id}/secrets`;
    const added = await t.request('POST', secretsUrl, { json: { action: 'add', secret: second } });
    expect(added.status).toBe(200);
    expect(added.text).not.toContain(second);
    expect(added.text).not.toContain(first);
    const afterAdd = added.json<SourceView>();
    expect(afterAdd.secretCount).toBe(2);
    expect(afterAdd.secrets.map((s) => s.id)).toContain(source.secrets[0].id);
    await answersWithin(() => deliver(slug, second), 202, 'the added secret to verify');
    expect((await deliver(slug, first)).status).toBe(202);

    const rotated = await t.request('POST', secretsUrl, {
      json: { action: 'rotate', secret: third },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.text).not.toContain(third);
    const afterRotate = rotated.json<SourceView>();
    expect(afterRotate.secretCount).toBe(1);
    expect(afterAdd.secrets.map((s) => s.id)).not.toContain(afterRotate.secrets[0].id);
    await answersWithin(() => deliver(slug, first), 401, 'the first secret to stop verifying');
    expect((await deliver(slug, second)).status).toBe(401);
    expect((await deliver(slug, third)).status).toBe(202);

    // Rotation window again, then the old one is revoked by its id.
    const addedFourth = await t.request('POST', secretsUrl, {
      json: { action: 'add', secret: fourth },
    });
    expect(addedFourth.status).toBe(200);
    await answersWithin(() => deliver(slug, fourth), 202, 'the fourth secret to verify');
    const revoked = await t.request('POST', secretsUrl, {
      json: { action: 'revoke', secretId: afterRotate.secrets[0].id },
    });
    expect(revoked.status).toBe(200);
    const afterRevoke = revoked.json<SourceView>();
    expect(afterRevoke.secretCount).toBe(1);
    expect(afterRevoke.secrets.map((s) => s.id)).not.toContain(afterRotate.secrets[0].id);
    await answersWithin(() => deliver(slug, third), 401, 'the revoked secret to stop verifying');
    expect((await deliver(slug, fourth)).status).toBe(202);

    const [row] = await t.dataSource.query<{ secrets: { id: string }[] }[]>(
      'SELECT secrets FROM webhook_sources WHERE id = $1',
      [source.id],
    );
    expect(row.secrets.map((s) => s.id)).toEqual(afterRevoke.secrets.map((s) => s.id));

    // Revoking an id the source does not have, or without an id, or an unknown action.
    const unknown = await t.request('POST', secretsUrl, {
      json: { action: 'revoke', secretId: randomUUID() },
    });
    expect(unknown.status).toBe(404);
    for (const json of [
      { action: 'revoke' },
      { action: 'add' },
      { action: 'add', secret: 'short' },
      { action: 'replace', secret: newSecret() },
    ]) {
      const invalid = await t.request('POST', secretsUrl, { json });
      expect({ json, status: invalid.status }).toEqual({ json, status: 400 });
      expect(invalid.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
    }

    // The last secret revoked: the source fails closed.
    const empty = await t.request('POST', secretsUrl, {
      json: { action: 'revoke', secretId: afterRevoke.secrets[0].id },
    });
    expect(empty.status).toBe(200);
    expect(empty.json<SourceView>()).toMatchObject({ secretConfigured: false, secretCount: 0 });
    const closed = await answersWithin(
      () => deliver(slug, fourth),
      401,
      'a source without secrets to reject',
    );
    expect(closed.json<ErrorBody>().details?.reason).toBe('no_secret_configured');
  });

  it('PATCH enabled=false makes its deliveries 404 (nothing stored); enabled=true restores them', async () => {
    const secret = newSecret();
    const slug = newSlug('toggle');
    const source = await createSource({ provider: 'github', slug, secrets: [secret] });
    expect((await deliver(slug, secret)).status).toBe(202);

    const disabled = await t.request('PATCH', `${SOURCES}/${source.id}`, {
      json: { enabled: false, description: 'paused' },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.json<SourceView>()).toMatchObject({
      enabled: false,
      description: 'paused',
      secretCount: 1,
    });
    const [row] = await t.dataSource.query<{ enabled: boolean }[]>(
      'SELECT enabled FROM webhook_sources WHERE id = $1',
      [source.id],
    );
    expect(row.enabled).toBe(false);
    const refused = await answersWithin(
      () => deliver(slug, secret),
      404,
      'a disabled source to answer 404',
    );
    expect(refused.json<ErrorBody>().code).toBe('SOURCE_DISABLED');
    const countWhileDisabled = await deliveryCount(slug);
    expect((await deliver(slug, secret)).status).toBe(404);
    expect(await deliveryCount(slug)).toBe(countWhileDisabled);

    const enabled = await t.request('PATCH', `${SOURCES}/${source.id}`, {
      json: { enabled: true },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.json<SourceView>().description).toBe('paused');
    await answersWithin(() => deliver(slug, secret), 202, 'a re-enabled source to accept');

    const invalid = await t.request('PATCH', `${SOURCES}/${source.id}`, {
      json: { slug: 'renamed' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
  });

  it("repositoryFilter ['acme/*']: other repositories are stored as ignored, acme ones are processed", async () => {
    const secret = newSecret();
    const slug = newSlug('filtered');
    const source = await createSource({
      provider: 'github',
      slug,
      secrets: [secret],
      repositoryFilter: ['acme/*'],
    });
    expect(source.repositoryFilter).toEqual(['acme/*']);

    const other = await deliver(slug, secret, 'other/repo');
    expect(other.status).toBe(202);
    const otherId = other.json<{ id: string }>().id;
    expect(await deliveryRow(otherId)).toMatchObject({
      source: slug,
      repository: 'other/repo',
      status: 'ignored',
    });

    const acme = await deliver(slug, secret, 'acme/x');
    expect(acme.status).toBe(202);
    const acmeId = acme.json<{ id: string }>().id;
    await waitForStatus(acmeId, 'processed');
    // By the time the acme delivery went through the queue, the ignored one was never picked up.
    expect((await deliveryRow(otherId))?.status).toBe('ignored');
    const [ignored] = await t.dataSource.query<{ attempts: number; queued_at: Date | null }[]>(
      'SELECT attempts, queued_at FROM deliveries WHERE id = $1',
      [otherId],
    );
    expect(ignored).toEqual({ attempts: 0, queued_at: null });

    // Clearing the filter accepts every repository again.
    const cleared = await t.request('PATCH', `${SOURCES}/${source.id}`, {
      json: { repositoryFilter: [] },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.json<SourceView>().repositoryFilter).toEqual([]);
    const laterId = await eventually(
      async () => {
        const response = await deliver(slug, secret, 'other/repo');
        expect(response.status).toBe(202);
        const id = response.json<{ id: string }>().id;
        return (await deliveryRow(id))?.status === 'ignored' ? undefined : id;
      },
      CACHE_TTL_MS + 2000,
      'the cleared filter to accept other/repo',
    );
    await waitForStatus(laterId, 'processed');
  });

  it('DELETE answers 204, then the source is gone (GET 404, deliveries 404, DELETE 404)', async () => {
    const secret = newSecret();
    const slug = newSlug('gone');
    const source = await createSource({ provider: 'github', slug, secrets: [secret] });
    expect((await deliver(slug, secret)).status).toBe(202);

    const removed = await t.request('DELETE', `${SOURCES}/${source.id}`);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    const rows = await t.dataSource.query<{ id: string }[]>(
      'SELECT id FROM webhook_sources WHERE id = $1',
      [source.id],
    );
    expect(rows).toEqual([]);

    const get = await t.request('GET', `${SOURCES}/${source.id}`);
    expect(get.status).toBe(404);
    expect(get.json<ErrorBody>().code).toBe('NOT_FOUND');
    const refused = await answersWithin(
      () => deliver(slug, secret),
      404,
      'a deleted source to answer 404',
    );
    expect(refused.json<ErrorBody>().code).toBe('UNKNOWN_SOURCE');
    expect((await t.request('DELETE', `${SOURCES}/${source.id}`)).status).toBe(404);
    const list = await t.request('GET', SOURCES);
    expect(list.json<SourceView[]>().map((s) => s.id)).not.toContain(source.id);
    // Deliveries already received from it are kept.
    expect(await deliveryCount(slug)).toBe(1);
  });
});
