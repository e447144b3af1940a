import { randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/v1';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Identified {
  id: string;
}

interface AuthorRef {
  identityId: string;
  personId: string | null;
  login: string | null;
  name: string | null;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

// Unique per run of this file: the database is shared with the other test files.
const tag = randomBytes(4).toString('hex');
const hex = (bytes = 20) => randomBytes(bytes).toString('hex');

/** Rows this file seeds, with their ids chosen up front. */
const person = {
  ada: randomUUID(),
  bob: randomUUID(),
  zed: randomUUID(),
  nameless: randomUUID(),
};
const identity = {
  adaGithub: randomUUID(),
  adaGitlab: randomUUID(),
  bob: randomUUID(),
  zed: randomUUID(),
  emailOnly: randomUUID(),
};
const repo = { api: randomUUID(), web: randomUUID(), lib: randomUUID() };
const fullName = {
  api: `acme-${tag}/api`,
  web: `acme-${tag}/web`,
  lib: `group-${tag}/sub/lib`,
};

/** Seeded commits of repo.api, newest first as the API must list them. */
const commits: Array<{
  id: string;
  sha: string;
  at: string;
  author: string | null;
  person: string | null;
}> = [];
const prs = {
  open: randomUUID(),
  merged: randomUUID(),
  closed: randomUUID(),
  mergedLater: randomUUID(),
  otherRepo: randomUUID(),
};
const issueIds = { open: randomUUID(), closed: randomUUID(), orphan: randomUUID() };
const runs = {
  success: randomUUID(),
  failure: randomUUID(),
  running: randomUUID(),
  queued: randomUUID(),
};
const deployments = { prod: randomUUID(), staging: randomUUID(), pending: randomUUID() };
const releases = { v10: randomUUID(), v11: randomUUID(), v09: randomUUID(), gone: randomUUID() };
const shaMain = hex();
const shaFeature = hex();

describe('activity read API (real HTTP, PostgreSQL)', () => {
  let t: TestApp;

  const insert = async (table: string, row: Record<string, unknown>): Promise<void> => {
    const columns = Object.keys(row);
    await t.dataSource.query(
      `INSERT INTO ${table} (${columns.join(', ')})
       VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(row),
    );
  };

  const get = async <T>(path: string, query: Record<string, string> = {}): Promise<T> => {
    const search = new URLSearchParams(query).toString();
    const response = await t.request('GET', `${API}${path}${search ? `?${search}` : ''}`);
    expect({
      path,
      query,
      status: response.status,
      body: response.status === 200 ? '' : response.text,
    }).toEqual({
      path,
      query,
      status: 200,
      body: '',
    });
    return response.json<T>();
  };

  const list = <T extends Identified>(path: string, query: Record<string, string> = {}) =>
    get<Page<T>>(path, query);

  const idsOf = (page: Page<Identified>) => page.items.map((item) => item.id);

  /** Follows nextCursor to the end; every page but the last is full. */
  const walk = async (path: string, query: Record<string, string>, limit: number) => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Identified> = await list(path, {
        ...query,
        limit: String(limit),
        ...(cursor ? { cursor } : {}),
      });
      sizes.push(page.items.length);
      seen.push(...idsOf(page));
      cursor = page.nextCursor;
      expect(sizes.length).toBeLessThan(50);
    } while (cursor);
    expect(sizes.slice(0, -1).every((size) => size === limit)).toBe(true);
    return seen;
  };

  const failure = async (path: string, token?: string | null) => {
    const response = await t.request('GET', `${API}${path}`, { token });
    return { status: response.status, body: response.json<ErrorBody>() };
  };

  beforeAll(async () => {
    t = await startTestApp();

    await insert('people', {
      id: person.ada,
      display_name: `Ada ${tag}`,
      primary_email: `ada-${tag}@example.com`,
    });
    await insert('people', { id: person.bob, display_name: `Bob ${tag}` });
    // Found by `q` only through the login of an identity.
    await insert('people', { id: person.zed, display_name: `Zed Person` });
    await insert('people', { id: person.nameless, primary_email: `nameless-${tag}@example.com` });

    await insert('identities', {
      id: identity.adaGithub,
      person_id: person.ada,
      provider: 'github',
      external_id: `gh-ada-${tag}`,
      login: `ada-${tag}`,
      name: 'Ada Lovelace',
      email: `ada-${tag}@example.com`,
      email_verified: true,
      avatar_url: 'https://avatars.example.com/ada.png',
    });
    await insert('identities', {
      id: identity.adaGitlab,
      person_id: person.ada,
      provider: 'gitlab',
      external_id: `gl-ada-${tag}`,
      login: `ada-gl-${tag}`,
      name: 'Ada L.',
    });
    await insert('identities', {
      id: identity.bob,
      person_id: person.bob,
      provider: 'github',
      external_id: `gh-bob-${tag}`,
      login: `bob-${tag}`,
      name: 'Bob',
      email: `bob.work-${tag}@corp.example`,
    });
    await insert('identities', {
      id: identity.zed,
      person_id: person.zed,
      provider: 'github',
      external_id: `gh-zed-${tag}`,
      login: `zed-${tag}`,
      bot: true,
    });
    await insert('identities', {
      id: identity.emailOnly,
      provider: 'github',
      name: 'Ghost',
      email: `ghost-${tag}@example.com`,
    });

    await insert('repositories', {
      id: repo.api,
      provider: 'github',
      external_id: `ar-${tag}-1`,
      full_name: fullName.api,
      name: 'api',
      default_branch: 'main',
      url: `https://github.com/${fullName.api}`,
      private: false,
      last_event_at: '2024-06-01T00:00:00Z',
    });
    await insert('repositories', {
      id: repo.web,
      provider: 'github',
      external_id: `ar-${tag}-2`,
      full_name: fullName.web,
      name: 'web',
    });
    await insert('repositories', {
      id: repo.lib,
      provider: 'gitlab',
      external_id: `ar-${tag}-3`,
      full_name: fullName.lib,
      name: 'lib',
    });

    // Two commits a microsecond apart and two at the very same time: a cursor that kept
    // milliseconds only, or had no id tie-breaker, would skip or repeat them.
    const commitPlan: Array<{ at: string; author: string | null; person: string | null }> = [
      { at: '2024-05-03T10:00:00.000002Z', author: identity.adaGithub, person: person.ada },
      { at: '2024-05-03T10:00:00.000001Z', author: identity.bob, person: person.bob },
      { at: '2024-05-02T09:00:00Z', author: identity.adaGitlab, person: person.ada },
      { at: '2024-05-02T09:00:00Z', author: identity.emailOnly, person: null },
      { at: '2024-04-15T12:00:00Z', author: null, person: null },
      { at: '2024-04-01T08:00:00Z', author: identity.adaGithub, person: person.ada },
    ];
    for (const [index, plan] of commitPlan.entries()) {
      const commit = { id: randomUUID(), sha: hex(), ...plan };
      await insert('commits', {
        id: commit.id,
        repository_id: repo.api,
        sha: commit.sha,
        message: `commit ${index}`,
        author_identity_id: plan.author,
        committer_identity_id: identity.zed,
        committed_at: plan.at,
        files_added: [`src/file-${index}.ts`],
        files_modified: [],
        files_removed: [],
        first_ref: 'refs/heads/main',
      });
      commits.push(commit);
    }
    // Same time: the larger id comes first (id DESC).
    const [sameA, sameB] = [commits[2], commits[3]].sort((a, b) => (a.id < b.id ? 1 : -1));
    commits.splice(2, 2, sameA, sameB);
    await insert('commits', {
      repository_id: repo.web,
      sha: hex(),
      message: 'elsewhere',
      author_identity_id: identity.adaGithub,
      committed_at: '2024-05-10T00:00:00Z',
    });

    const pr = (
      id: string,
      repositoryId: string,
      number: number,
      state: string,
      author: string | null,
      updatedAt: string,
      extra: Record<string, unknown> = {},
    ) =>
      insert('pull_requests', {
        id,
        repository_id: repositoryId,
        external_id: `pr-${tag}-${number}-${repositoryId}`,
        number,
        title: `PR ${number}`,
        state,
        author_identity_id: author,
        head_ref: `feature/${number}`,
        base_ref: 'main',
        labels: ['backend'],
        created_at: '2024-03-01T00:00:00Z',
        updated_at: updatedAt,
        ...extra,
      });
    await pr(prs.open, repo.api, 1, 'open', identity.adaGithub, '2024-05-05T00:00:00Z', {
      draft: true,
    });
    await pr(prs.merged, repo.api, 2, 'merged', identity.bob, '2024-05-03T00:00:00Z', {
      body: 'Adds the thing',
      head_sha: shaFeature,
      additions: 10,
      deletions: 2,
      changed_files: 3,
      commits_count: 1,
      closed_at: '2024-03-10T12:00:00Z',
      merged_at: '2024-03-10T12:00:00Z',
      merged_by_identity_id: identity.adaGithub,
    });
    await pr(prs.closed, repo.api, 3, 'closed', identity.adaGithub, '2024-05-04T00:00:00Z', {
      closed_at: '2024-03-05T00:00:00Z',
    });
    await pr(prs.mergedLater, repo.api, 4, 'merged', identity.adaGitlab, '2024-05-01T00:00:00Z', {
      merged_at: '2024-04-01T00:00:00Z',
    });
    await pr(prs.otherRepo, repo.web, 1, 'open', identity.zed, '2024-05-09T00:00:00Z');

    // Inserted out of order: the API orders them by time.
    const prEvents: Array<[string, string | null, string]> = [
      ['merged', identity.adaGithub, '2024-03-10T12:00:00Z'],
      ['opened', identity.bob, '2024-03-01T00:00:00Z'],
      ['review_requested', identity.bob, '2024-03-02T00:00:00Z'],
      ['synchronize', null, '2024-03-03T00:00:00Z'],
    ];
    for (const [action, actor, at] of prEvents) {
      await insert('pull_request_events', {
        pull_request_id: prs.merged,
        delivery_id: randomUUID(),
        action,
        actor_identity_id: actor,
        occurred_at: at,
      });
    }
    await insert('reviews', {
      pull_request_id: prs.merged,
      external_id: `rv-${tag}-1`,
      state: 'approved',
      body: 'LGTM',
      author_identity_id: identity.adaGithub,
      submitted_at: '2024-03-09T00:00:00Z',
      commit_sha: shaFeature,
    });
    await insert('reviews', {
      pull_request_id: prs.merged,
      external_id: `rv-${tag}-2`,
      state: 'changes_requested',
      author_identity_id: identity.zed,
      submitted_at: '2024-03-04T00:00:00Z',
    });

    const comment = (
      repositoryId: string,
      targetType: string,
      targetNumber: number,
      body: string,
      createdAt: string,
      extra: Record<string, unknown> = {},
    ) =>
      insert('comments', {
        repository_id: repositoryId,
        external_id: `cm-${randomUUID()}`,
        target_type: targetType,
        target_number: targetNumber,
        body,
        author_identity_id: identity.bob,
        created_at: createdAt,
        updated_at: createdAt,
        ...extra,
      });
    await comment(repo.api, 'pull_request', 2, 'second on PR 2', '2024-03-06T00:00:00Z', {
      path: 'src/a.ts',
      line: 12,
    });
    await comment(repo.api, 'pull_request', 2, 'first on PR 2', '2024-03-02T00:00:00Z');
    await comment(repo.api, 'pull_request', 2, 'deleted on PR 2', '2024-03-03T00:00:00Z', {
      deleted: true,
    });
    await comment(repo.api, 'issue', 2, 'on issue 2, not PR 2', '2024-03-02T00:00:00Z');
    await comment(
      repo.web,
      'pull_request',
      2,
      'PR 2 of another repository',
      '2024-03-02T00:00:00Z',
    );
    await comment(repo.api, 'issue', 10, 'on issue 10', '2024-02-02T00:00:00Z');

    const issue = (
      id: string,
      number: number,
      state: string,
      author: string | null,
      updatedAt: string,
      extra: Record<string, unknown> = {},
    ) =>
      insert('issues', {
        id,
        repository_id: repo.api,
        external_id: `is-${tag}-${number}`,
        number,
        title: `Issue ${number}`,
        state,
        author_identity_id: author,
        labels: ['bug'],
        created_at: '2024-02-01T00:00:00Z',
        updated_at: updatedAt,
        ...extra,
      });
    await issue(issueIds.open, 10, 'open', identity.adaGithub, '2024-05-02T00:00:00Z', {
      body: 'It breaks',
    });
    await issue(issueIds.closed, 11, 'closed', identity.bob, '2024-05-06T00:00:00Z', {
      closed_at: '2024-05-06T00:00:00Z',
    });
    await issue(issueIds.orphan, 12, 'open', null, '2024-05-01T00:00:00Z');

    const run = (
      id: string,
      status: string,
      conclusion: string | null,
      branch: string,
      sha: string,
      createdAt: string,
    ) =>
      insert('ci_runs', {
        id,
        repository_id: repo.api,
        source: 'workflow_run',
        external_id: `run-${id}`,
        name: 'CI',
        status,
        conclusion,
        head_sha: sha,
        head_branch: branch,
        trigger: 'push',
        run_number: 1,
        attempt: 1,
        actor_identity_id: identity.adaGithub,
        pull_request_numbers: branch === 'main' ? [] : [2],
        created_at: createdAt,
        updated_at: createdAt,
      });
    await run(runs.success, 'completed', 'success', 'main', shaMain, '2024-05-01T00:00:00Z');
    await run(
      runs.failure,
      'completed',
      'failure',
      'feature/2',
      shaFeature,
      '2024-05-02T00:00:00Z',
    );
    await run(runs.running, 'in_progress', null, 'main', shaMain, '2024-05-03T00:00:00Z');
    await run(runs.queued, 'queued', null, 'feature/2', shaFeature, '2024-05-04T00:00:00Z');

    const deployment = (
      id: string,
      environment: string,
      latestState: string | null,
      createdAt: string,
    ) =>
      insert('deployments', {
        id,
        repository_id: repo.api,
        external_id: `dp-${id}`,
        environment,
        ref: 'main',
        sha: shaMain,
        creator_identity_id: identity.bob,
        latest_state: latestState,
        latest_state_at: latestState ? createdAt : null,
        created_at: createdAt,
        updated_at: createdAt,
      });
    await deployment(deployments.prod, 'production', 'success', '2024-05-01T00:00:00Z');
    await deployment(deployments.staging, 'staging', 'failure', '2024-05-02T00:00:00Z');
    await deployment(deployments.pending, 'production', null, '2024-05-03T00:00:00Z');
    for (const [state, at] of [
      ['success', '2024-05-01T00:10:00Z'],
      ['pending', '2024-05-01T00:00:00Z'],
      ['in_progress', '2024-05-01T00:05:00Z'],
    ]) {
      await insert('deployment_statuses', {
        deployment_id: deployments.prod,
        state,
        description: `${state} step`,
        created_at: at,
      });
    }

    const release = (
      id: string,
      tagName: string,
      createdAt: string,
      publishedAt: string | null,
      extra: Record<string, unknown> = {},
    ) =>
      insert('releases', {
        id,
        repository_id: repo.api,
        external_id: `rl-${id}`,
        tag_name: tagName,
        name: tagName,
        author_identity_id: identity.adaGithub,
        created_at: createdAt,
        published_at: publishedAt,
        updated_at: createdAt,
        ...extra,
      });
    await release(releases.v10, 'v1.0', '2024-01-01T00:00:00Z', '2024-05-05T00:00:00Z');
    await release(releases.v11, 'v1.1', '2024-05-06T00:00:00Z', null, { draft: true });
    await release(releases.v09, 'v0.9', '2023-12-01T00:00:00Z', '2024-05-02T00:00:00Z', {
      prerelease: true,
    });
    await release(releases.gone, 'v0.1', '2024-05-07T00:00:00Z', '2024-05-07T00:00:00Z', {
      deleted: true,
    });
  });

  afterAll(async () => {
    await t.close();
  });

  const ada: AuthorRef = {
    identityId: identity.adaGithub,
    personId: person.ada,
    login: `ada-${tag}`,
    name: 'Ada Lovelace',
  };
  const bob: AuthorRef = {
    identityId: identity.bob,
    personId: person.bob,
    login: `bob-${tag}`,
    name: 'Bob',
  };

  describe('repositories', () => {
    it('lists by full name, filtered by provider and a case-insensitive part of the name', async () => {
      const page = await list<Identified & Record<string, unknown>>('/repositories', { q: tag });
      expect(idsOf(page)).toEqual([repo.api, repo.web, repo.lib]);
      expect(page.nextCursor).toBeNull();
      expect(page.items[0]).toEqual({
        id: repo.api,
        provider: 'github',
        externalId: `ar-${tag}-1`,
        fullName: fullName.api,
        name: 'api',
        defaultBranch: 'main',
        url: `https://github.com/${fullName.api}`,
        private: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        lastEventAt: '2024-06-01T00:00:00.000Z',
      });
      expect(idsOf(await list('/repositories', { q: tag, provider: 'gitlab' }))).toEqual([
        repo.lib,
      ]);
      expect(idsOf(await list('/repositories', { q: `ACME-${tag.toUpperCase()}` }))).toEqual([
        repo.api,
        repo.web,
      ]);
      // LIKE wildcards in q are taken literally.
      expect(idsOf(await list('/repositories', { q: `acme-${tag}_api` }))).toEqual([]);
      expect(idsOf(await list('/repositories', { q: `${tag}%` }))).toEqual([]);
    });

    it('pages through every repository once', async () => {
      for (const limit of [1, 2]) {
        expect(await walk('/repositories', { q: tag }, limit)).toEqual([
          repo.api,
          repo.web,
          repo.lib,
        ]);
      }
    });

    it('GET /:id answers the repository with counts of its records', async () => {
      const detail = await get<Record<string, unknown>>(`/repositories/${repo.api}`);
      expect(detail).toMatchObject({ id: repo.api, fullName: fullName.api });
      expect(detail.counts).toEqual({
        commits: 6,
        pullRequestsOpen: 1,
        pullRequestsMerged: 2,
        issuesOpen: 2,
        ciRuns: 4,
        deployments: 3,
        releases: 3,
      });
      const empty = await get<Record<string, unknown>>(`/repositories/${repo.lib}`);
      expect(empty.counts).toEqual({
        commits: 0,
        pullRequestsOpen: 0,
        pullRequestsMerged: 0,
        issuesOpen: 0,
        ciRuns: 0,
        deployments: 0,
        releases: 0,
      });
    });
  });

  describe('pull requests', () => {
    it('lists last updated first with author and merger', async () => {
      const page = await list<Identified & Record<string, unknown>>('/pull-requests', {
        repositoryId: repo.api,
      });
      expect(idsOf(page)).toEqual([prs.open, prs.closed, prs.merged, prs.mergedLater]);
      const merged = page.items.find((item) => item.id === prs.merged);
      expect(merged).toEqual({
        id: prs.merged,
        repositoryId: repo.api,
        repositoryFullName: fullName.api,
        number: 2,
        title: 'PR 2',
        state: 'merged',
        draft: false,
        author: bob,
        headRef: 'feature/2',
        baseRef: 'main',
        headSha: shaFeature,
        url: null,
        labels: ['backend'],
        additions: 10,
        deletions: 2,
        changedFiles: 3,
        commitsCount: 1,
        createdAt: '2024-03-01T00:00:00.000Z',
        updatedAt: '2024-05-03T00:00:00.000Z',
        closedAt: '2024-03-10T12:00:00.000Z',
        mergedAt: '2024-03-10T12:00:00.000Z',
        mergedBy: ada,
      });
      expect(page.items.find((item) => item.id === prs.open)).toMatchObject({
        draft: true,
        mergedBy: null,
        mergedAt: null,
      });
    });

    it('filters by state, author person and merge window', async () => {
      const ids = (query: Record<string, string>) =>
        list('/pull-requests', { repositoryId: repo.api, ...query }).then(idsOf);
      expect(await ids({ state: 'merged' })).toEqual([prs.merged, prs.mergedLater]);
      expect(await ids({ state: 'open' })).toEqual([prs.open]);
      expect(await ids({ state: 'closed' })).toEqual([prs.closed]);
      // Either of Ada's identities (GitHub and GitLab) counts as Ada.
      expect(await ids({ authorPersonId: person.ada })).toEqual([
        prs.open,
        prs.closed,
        prs.mergedLater,
      ]);
      expect(await ids({ authorPersonId: person.bob })).toEqual([prs.merged]);
      expect(await ids({ mergedFrom: '2024-03-01', mergedTo: '2024-03-31' })).toEqual([prs.merged]);
      expect(await ids({ mergedFrom: '2024-03-10T12:00:00Z' })).toEqual([
        prs.merged,
        prs.mergedLater,
      ]);
      expect(await ids({ mergedTo: '2024-03-10T14:00:00+02:00' })).toEqual([]);
      expect(await ids({ mergedTo: '2024-03-10T14:00:01+02:00' })).toEqual([prs.merged]);
      expect(await list('/pull-requests', { repositoryId: repo.web }).then(idsOf)).toEqual([
        prs.otherRepo,
      ]);
    });

    it('pages through every pull request once, keeping the filters', async () => {
      const all = [prs.open, prs.closed, prs.merged, prs.mergedLater];
      for (const limit of [1, 3, 4]) {
        expect(await walk('/pull-requests', { repositoryId: repo.api }, limit)).toEqual(all);
      }
      expect(
        await walk('/pull-requests', { repositoryId: repo.api, authorPersonId: person.ada }, 1),
      ).toEqual([prs.open, prs.closed, prs.mergedLater]);
    });

    it('GET /:id includes the body, reviews, timeline and comments, in time order', async () => {
      const detail = await get<Record<string, unknown>>(`/pull-requests/${prs.merged}`);
      expect(detail).toMatchObject({ id: prs.merged, body: 'Adds the thing', author: bob });
      expect(detail.reviews).toEqual([
        {
          id: expect.any(String),
          externalId: `rv-${tag}-2`,
          state: 'changes_requested',
          body: null,
          author: {
            identityId: identity.zed,
            personId: person.zed,
            login: `zed-${tag}`,
            name: null,
          },
          submittedAt: '2024-03-04T00:00:00.000Z',
          commitSha: null,
          url: null,
        },
        {
          id: expect.any(String),
          externalId: `rv-${tag}-1`,
          state: 'approved',
          body: 'LGTM',
          author: ada,
          submittedAt: '2024-03-09T00:00:00.000Z',
          commitSha: shaFeature,
          url: null,
        },
      ]);
      const timeline = detail.timeline as Array<Record<string, unknown>>;
      expect(timeline.map((e) => [e.action, e.occurredAt])).toEqual([
        ['opened', '2024-03-01T00:00:00.000Z'],
        ['review_requested', '2024-03-02T00:00:00.000Z'],
        ['synchronize', '2024-03-03T00:00:00.000Z'],
        ['merged', '2024-03-10T12:00:00.000Z'],
      ]);
      expect(timeline[0]).toEqual({
        id: expect.any(String),
        action: 'opened',
        actor: bob,
        occurredAt: '2024-03-01T00:00:00.000Z',
        deliveryId: expect.any(String),
      });
      expect(timeline[2].actor).toBeNull();
      const comments = detail.comments as Array<Record<string, unknown>>;
      expect(comments.map((c) => c.body)).toEqual(['first on PR 2', 'second on PR 2']);
      expect(comments[1]).toEqual({
        id: expect.any(String),
        externalId: expect.any(String),
        body: 'second on PR 2',
        author: bob,
        path: 'src/a.ts',
        line: 12,
        url: null,
        createdAt: '2024-03-06T00:00:00.000Z',
        updatedAt: '2024-03-06T00:00:00.000Z',
      });

      const bare = await get<Record<string, unknown>>(`/pull-requests/${prs.open}`);
      expect(bare).toMatchObject({ reviews: [], timeline: [], comments: [], body: null });
    });
  });

  describe('issues', () => {
    it('lists last updated first, filtered by state and author person', async () => {
      const page = await list<Identified & Record<string, unknown>>('/issues', {
        repositoryId: repo.api,
      });
      expect(idsOf(page)).toEqual([issueIds.closed, issueIds.open, issueIds.orphan]);
      expect(page.items[0]).toEqual({
        id: issueIds.closed,
        repositoryId: repo.api,
        repositoryFullName: fullName.api,
        number: 11,
        title: 'Issue 11',
        state: 'closed',
        author: bob,
        labels: ['bug'],
        url: null,
        createdAt: '2024-02-01T00:00:00.000Z',
        updatedAt: '2024-05-06T00:00:00.000Z',
        closedAt: '2024-05-06T00:00:00.000Z',
      });
      expect(page.items[2].author).toBeNull();
      const ids = (query: Record<string, string>) =>
        list('/issues', { repositoryId: repo.api, ...query }).then(idsOf);
      expect(await ids({ state: 'open' })).toEqual([issueIds.open, issueIds.orphan]);
      expect(await ids({ state: 'closed' })).toEqual([issueIds.closed]);
      expect(await ids({ authorPersonId: person.bob })).toEqual([issueIds.closed]);
      expect(await ids({ authorPersonId: person.ada, state: 'closed' })).toEqual([]);
      expect(await ids({ authorPersonId: person.nameless })).toEqual([]);
    });

    it('pages through every issue once', async () => {
      expect(await walk('/issues', { repositoryId: repo.api }, 2)).toEqual([
        issueIds.closed,
        issueIds.open,
        issueIds.orphan,
      ]);
    });

    it('GET /:id includes the body and the comments on it', async () => {
      const detail = await get<Record<string, unknown>>(`/issues/${issueIds.open}`);
      expect(detail).toMatchObject({ id: issueIds.open, number: 10, body: 'It breaks' });
      expect((detail.comments as Array<{ body: string }>).map((c) => c.body)).toEqual([
        'on issue 10',
      ]);
    });
  });

  describe('commits', () => {
    it('lists newest first with author and committer', async () => {
      const page = await list<Identified & Record<string, unknown>>('/commits', {
        repositoryId: repo.api,
      });
      expect(idsOf(page)).toEqual(commits.map((c) => c.id));
      expect(page.items[0]).toEqual({
        id: commits[0].id,
        repositoryId: repo.api,
        repositoryFullName: fullName.api,
        sha: commits[0].sha,
        message: 'commit 0',
        author: ada,
        committer: {
          identityId: identity.zed,
          personId: person.zed,
          login: `zed-${tag}`,
          name: null,
        },
        committedAt: '2024-05-03T10:00:00.000Z',
        url: null,
        filesAdded: ['src/file-0.ts'],
        filesModified: [],
        filesRemoved: [],
        firstRef: 'refs/heads/main',
        firstSeenAt: expect.any(String),
      });
      const emailOnlyId = commits.find((c) => c.author === identity.emailOnly)?.id;
      const emailOnly = page.items.find((item) => item.id === emailOnlyId);
      expect(emailOnly?.author).toEqual({
        identityId: identity.emailOnly,
        personId: null,
        login: null,
        name: 'Ghost',
      });
      expect(page.items.find((item) => item.message === 'commit 4')?.author).toBeNull();
    });

    it('filters by author person, SHA prefix and commit time', async () => {
      const ids = (query: Record<string, string>) =>
        list('/commits', { repositoryId: repo.api, ...query }).then(idsOf);
      expect(await ids({ authorPersonId: person.ada })).toEqual(
        commits.filter((c) => c.person === person.ada).map((c) => c.id),
      );
      const target = commits[3];
      expect(await ids({ sha: target.sha.slice(0, 12) })).toEqual([target.id]);
      expect(await ids({ sha: target.sha.slice(0, 12).toUpperCase() })).toEqual([target.id]);
      expect(await ids({ sha: target.sha })).toEqual([target.id]);
      expect(await ids({ committedFrom: '2024-05-02', committedTo: '2024-05-03' })).toEqual([
        commits[2].id,
        commits[3].id,
      ]);
      expect(await ids({ committedFrom: '2024-05-03T10:00:00.000002Z' })).toEqual([commits[0].id]);
      expect(await ids({ committedTo: '2024-04-15T12:00:00Z' })).toEqual([commits[5].id]);
      // Without the repository filter, Ada's commit in the other repository shows up too.
      const everywhere = await list('/commits', { authorPersonId: person.ada, limit: '200' });
      expect(idsOf(everywhere)).toHaveLength(4);
    });

    it('pages through every commit once, microsecond apart or tied in time', async () => {
      for (const limit of [1, 2, 5]) {
        expect(await walk('/commits', { repositoryId: repo.api }, limit)).toEqual(
          commits.map((c) => c.id),
        );
      }
    });
  });

  describe('CI runs', () => {
    it('lists newest first, filtered by status, conclusion, branch and head SHA', async () => {
      const page = await list<Identified & Record<string, unknown>>('/ci-runs', {
        repositoryId: repo.api,
      });
      expect(idsOf(page)).toEqual([runs.queued, runs.running, runs.failure, runs.success]);
      expect(page.items[2]).toEqual({
        id: runs.failure,
        repositoryId: repo.api,
        repositoryFullName: fullName.api,
        source: 'workflow_run',
        externalId: `run-${runs.failure}`,
        name: 'CI',
        status: 'completed',
        conclusion: 'failure',
        headSha: shaFeature,
        headBranch: 'feature/2',
        trigger: 'push',
        runNumber: 1,
        attempt: 1,
        url: null,
        actor: ada,
        pullRequestNumbers: [2],
        createdAt: '2024-05-02T00:00:00.000Z',
        startedAt: null,
        completedAt: null,
        updatedAt: '2024-05-02T00:00:00.000Z',
      });
      const ids = (query: Record<string, string>) =>
        list('/ci-runs', { repositoryId: repo.api, ...query }).then(idsOf);
      expect(await ids({ status: 'completed' })).toEqual([runs.failure, runs.success]);
      expect(await ids({ conclusion: 'failure' })).toEqual([runs.failure]);
      expect(await ids({ headBranch: 'main' })).toEqual([runs.running, runs.success]);
      expect(await ids({ headSha: shaMain.slice(0, 7) })).toEqual([runs.running, runs.success]);
      expect(await ids({ headBranch: 'feature/2', status: 'queued' })).toEqual([runs.queued]);
      expect(await walk('/ci-runs', { repositoryId: repo.api }, 3)).toEqual([
        runs.queued,
        runs.running,
        runs.failure,
        runs.success,
      ]);
    });
  });

  describe('deployments', () => {
    it('lists newest first, filtered by environment and latest state', async () => {
      const page = await list<Identified & Record<string, unknown>>('/deployments', {
        repositoryId: repo.api,
      });
      expect(idsOf(page)).toEqual([deployments.pending, deployments.staging, deployments.prod]);
      expect(page.items[2]).toEqual({
        id: deployments.prod,
        repositoryId: repo.api,
        repositoryFullName: fullName.api,
        externalId: `dp-${deployments.prod}`,
        environment: 'production',
        ref: 'main',
        sha: shaMain,
        creator: bob,
        url: null,
        latestState: 'success',
        latestStateAt: '2024-05-01T00:00:00.000Z',
        createdAt: '2024-05-01T00:00:00.000Z',
        updatedAt: '2024-05-01T00:00:00.000Z',
      });
      const ids = (query: Record<string, string>) =>
        list('/deployments', { repositoryId: repo.api, ...query }).then(idsOf);
      expect(await ids({ environment: 'production' })).toEqual([
        deployments.pending,
        deployments.prod,
      ]);
      expect(await ids({ state: 'success' })).toEqual([deployments.prod]);
      expect(await ids({ state: 'failure', environment: 'production' })).toEqual([]);
      expect(await walk('/deployments', { repositoryId: repo.api }, 2)).toEqual([
        deployments.pending,
        deployments.staging,
        deployments.prod,
      ]);
    });

    it('GET /:id includes the status history, oldest first', async () => {
      const detail = await get<Record<string, unknown>>(`/deployments/${deployments.prod}`);
      expect(detail).toMatchObject({ id: deployments.prod, latestState: 'success' });
      expect(detail.statuses).toEqual([
        {
          id: expect.any(String),
          externalId: null,
          state: 'pending',
          description: 'pending step',
          url: null,
          createdAt: '2024-05-01T00:00:00.000Z',
        },
        expect.objectContaining({ state: 'in_progress', createdAt: '2024-05-01T00:05:00.000Z' }),
        expect.objectContaining({ state: 'success', createdAt: '2024-05-01T00:10:00.000Z' }),
      ]);
      const fresh = await get<Record<string, unknown>>(`/deployments/${deployments.pending}`);
      expect(fresh).toMatchObject({ latestState: null, latestStateAt: null, statuses: [] });
    });
  });

  describe('releases', () => {
    it('lists by publication (creation while unpublished), newest first, without deleted ones', async () => {
      const page = await list<Identified & Record<string, unknown>>('/releases', {
        repositoryId: repo.api,
      });
      expect(idsOf(page)).toEqual([releases.v11, releases.v10, releases.v09]);
      expect(page.items[0]).toEqual({
        id: releases.v11,
        repositoryId: repo.api,
        repositoryFullName: fullName.api,
        externalId: `rl-${releases.v11}`,
        tagName: 'v1.1',
        name: 'v1.1',
        body: null,
        draft: true,
        prerelease: false,
        author: ada,
        url: null,
        createdAt: '2024-05-06T00:00:00.000Z',
        publishedAt: null,
        updatedAt: '2024-05-06T00:00:00.000Z',
      });
      expect(page.items[2]).toMatchObject({ prerelease: true, tagName: 'v0.9' });
      expect(await walk('/releases', { repositoryId: repo.api }, 1)).toEqual([
        releases.v11,
        releases.v10,
        releases.v09,
      ]);
      expect(await list('/releases', { repositoryId: repo.web }).then(idsOf)).toEqual([]);
    });
  });

  describe('people', () => {
    it('lists by display name (nameless last), found by name, email or identity login', async () => {
      const page = await list<Identified & Record<string, unknown>>('/people', { q: tag });
      expect(idsOf(page)).toEqual([person.ada, person.bob, person.zed, person.nameless]);
      expect(page.items[0]).toEqual({
        id: person.ada,
        displayName: `Ada ${tag}`,
        primaryEmail: `ada-${tag}@example.com`,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(page.items[3]).toMatchObject({ displayName: null });
      const ids = (q: string) => list('/people', { q }).then(idsOf);
      expect(await ids(`BOB ${tag}`)).toEqual([person.bob]);
      expect(await ids(`bob.work-${tag}`)).toEqual([person.bob]);
      expect(await ids(`ada-gl-${tag}`)).toEqual([person.ada]);
      expect(await ids(`zed-${tag}`)).toEqual([person.zed]);
      expect(await ids(`nameless-${tag}`)).toEqual([person.nameless]);
      expect(await ids(`${tag}%`)).toEqual([]);
    });

    it('pages through every person once, across the named and the nameless', async () => {
      for (const limit of [1, 2, 3]) {
        expect(await walk('/people', { q: tag }, limit)).toEqual([
          person.ada,
          person.bob,
          person.zed,
          person.nameless,
        ]);
      }
    });

    it('GET /:id includes the identities', async () => {
      const detail = await get<Record<string, unknown>>(`/people/${person.ada}`);
      expect(detail).toMatchObject({ id: person.ada, displayName: `Ada ${tag}` });
      expect(detail.identities).toEqual([
        {
          id: identity.adaGithub,
          provider: 'github',
          externalId: `gh-ada-${tag}`,
          login: `ada-${tag}`,
          name: 'Ada Lovelace',
          email: `ada-${tag}@example.com`,
          avatarUrl: 'https://avatars.example.com/ada.png',
          bot: false,
        },
        {
          id: identity.adaGitlab,
          provider: 'gitlab',
          externalId: `gl-ada-${tag}`,
          login: `ada-gl-${tag}`,
          name: 'Ada L.',
          email: null,
          avatarUrl: null,
          bot: false,
        },
      ]);
      const zed = await get<{ identities: Array<{ bot: boolean }> }>(`/people/${person.zed}`);
      expect(zed.identities.map((i) => i.bot)).toEqual([true]);
      const nameless = await get<Record<string, unknown>>(`/people/${person.nameless}`);
      expect(nameless.identities).toEqual([]);
    });
  });

  describe('errors', () => {
    const DETAIL_ROUTES = ['/repositories', '/pull-requests', '/issues', '/deployments', '/people'];
    const LIST_ROUTES = [
      '/repositories',
      '/pull-requests',
      '/issues',
      '/commits',
      '/ci-runs',
      '/deployments',
      '/releases',
      '/people',
    ];

    it('404 NOT_FOUND for an unknown id, 400 for an id that is not a uuid', async () => {
      for (const route of DETAIL_ROUTES) {
        const missing = await failure(`${route}/${randomUUID()}`);
        expect({ route, ...missing }).toMatchObject({
          route,
          status: 404,
          body: { code: 'NOT_FOUND' },
        });
        const malformed = await failure(`${route}/not-a-uuid`);
        expect({ route, ...malformed }).toMatchObject({
          route,
          status: 400,
          body: { code: 'VALIDATION_FAILED' },
        });
      }
    });

    it('401 on every route without a key or with a wrong one', async () => {
      for (const route of [...LIST_ROUTES, ...DETAIL_ROUTES.map((r) => `${r}/${randomUUID()}`)]) {
        for (const token of [null, 'not-a-key']) {
          const answer = await failure(route, token);
          expect({ route, token, status: answer.status }).toEqual({ route, token, status: 401 });
          expect(answer.body.code).toBe('UNAUTHORIZED');
        }
      }
    });

    it('400 on invalid filters and limits, never 500', async () => {
      const cases: Array<[string, Record<string, string>]> = [
        ['/commits', { limit: '0' }],
        ['/commits', { limit: '201' }],
        ['/commits', { limit: 'ten' }],
        ['/commits', { limit: '1.5' }],
        ['/commits', { repositoryId: 'not-a-uuid' }],
        ['/commits', { sha: 'xyz123' }],
        ['/commits', { sha: 'abc' }],
        ['/commits', { committedFrom: '2024-02-30' }],
        ['/commits', { committedFrom: 'yesterday' }],
        ['/commits', { unknownFilter: 'x' }],
        ['/pull-requests', { state: 'draft' }],
        ['/pull-requests', { authorPersonId: '1234' }],
        ['/pull-requests', { mergedFrom: '2024-W01-1' }],
        ['/pull-requests', { mergedFrom: '2024-01-01T10:00:00' }],
        ['/pull-requests', { mergedTo: '2024-01-01T10:00:00+23:00' }],
        ['/pull-requests', { mergedTo: '0000-01-01' }],
        ['/pull-requests', { mergedTo: '+275760-09-13T00:00:00.000Z' }],
        ['/issues', { state: 'merged' }],
        ['/ci-runs', { status: 'done' }],
        ['/ci-runs', { conclusion: 'green' }],
        ['/ci-runs', { headBranch: 'a\u0000b' }],
        ['/deployments', { state: 'deployed' }],
        ['/deployments', { environment: '' }],
        ['/repositories', { provider: 'sourceforge' }],
        ['/people', { q: 'x\u0000' }],
      ];
      for (const [route, query] of cases) {
        const answer = await failure(`${route}?${new URLSearchParams(query).toString()}`);
        expect({ route, query, status: answer.status, code: answer.body.code }).toEqual({
          route,
          query,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
    });

    it('400 on a cursor this listing did not hand out', async () => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const commitsCursor = (await list('/commits', { repositoryId: repo.api, limit: '1' }))
        .nextCursor;
      const repositoriesCursor = (await list('/repositories', { q: tag, limit: '1' })).nextCursor;
      expect(commitsCursor).toEqual(expect.any(String));
      const cases: Array<[string, string]> = [
        ['/commits', 'garbage'],
        ['/commits', encode({ at: '2024-01-01T00:00:00.000000Z' })],
        ['/commits', encode(['commits', '2024-01-01T00:00:00.000000Z'])],
        ['/commits', encode(['commits', '2024-01-01T00:00:00.000000Z', '-'.repeat(36)])],
        ['/commits', encode(['commits', '2024-02-30T00:00:00.000000Z', randomUUID()])],
        ['/commits', encode(['commits', '0000-01-01T00:00:00.000000Z', randomUUID()])],
        ['/commits', encode(['commits', '+275760-09-13T00:00:00.000Z', randomUUID()])],
        ['/commits', encode(['commits', '1', randomUUID()])],
        ['/commits', encode(['commits', 42, randomUUID()])],
        ['/ci-runs', commitsCursor ?? ''],
        ['/repositories', encode(['repositories', 'a\u0000b', randomUUID()])],
        ['/people', encode(['people', 'maybe', 'Ada', randomUUID()])],
        ['/people', repositoriesCursor ?? ''],
      ];
      for (const [route, cursor] of cases) {
        const answer = await failure(`${route}?cursor=${encodeURIComponent(cursor)}`);
        expect({ route, cursor, status: answer.status }).toEqual({ route, cursor, status: 400 });
        expect(answer.body).toMatchObject({
          code: 'VALIDATION_FAILED',
          message: 'cursor is not a cursor this API returned',
        });
      }
    });
  });

  it('every route is in the OpenAPI document with its response schema', async () => {
    const response = await t.request('GET', '/docs-json', { token: null });
    expect(response.status).toBe(200);
    const doc = response.json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    }>();
    const routes: Array<[string, string]> = [
      ['/api/v1/repositories', 'RepositoryPageView'],
      ['/api/v1/repositories/{id}', 'RepositoryDetailView'],
      ['/api/v1/pull-requests', 'PullRequestPageView'],
      ['/api/v1/pull-requests/{id}', 'PullRequestDetailView'],
      ['/api/v1/issues', 'IssuePageView'],
      ['/api/v1/issues/{id}', 'IssueDetailView'],
      ['/api/v1/commits', 'CommitPageView'],
      ['/api/v1/ci-runs', 'CiRunPageView'],
      ['/api/v1/deployments', 'DeploymentPageView'],
      ['/api/v1/deployments/{id}', 'DeploymentDetailView'],
      ['/api/v1/releases', 'ReleasePageView'],
      ['/api/v1/people', 'PersonPageView'],
      ['/api/v1/people/{id}', 'PersonDetailView'],
    ];
    for (const [path, schema] of routes) {
      expect({ path, ok: JSON.stringify(doc.paths[path]?.get?.responses ?? {}) }).toEqual({
        path,
        ok: expect.stringContaining(`#/components/schemas/${schema}`),
      });
      expect(doc.components.schemas[schema]).toBeDefined();
    }
    expect(doc.components.schemas.IdentityRefView).toBeDefined();
  });
});
