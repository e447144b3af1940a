import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { githubHeaders } from '../support/signing';
import { eventually, TestApp } from '../support/test-app';

/**
 * What the metrics specs share: sending a forge delivery through the signed HTTP endpoint,
 * waiting for the worker and for the metrics.refresh follow-up, and the scenario clock.
 */

export type Json = Record<string, unknown>;

export interface Delivery {
  forge: 'github' | 'gitlab';
  event: string;
  payload: Json;
}

/** The GitLab token the metrics specs start their app with (GITLAB_WEBHOOK_TOKEN). */
export const GITLAB_TOKEN = 'gitlab-metrics-e2e-token';

export const sha = (): string => randomBytes(20).toString('hex');
export const numericId = (): number => randomInt(1_000_000_000, 2 ** 47);

/** 2026-03-02 is a Monday; `t(day, 'HH:MM')` is that many days later, UTC. */
export const t = (day: number, hhmm: string): string =>
  new Date(Date.parse(`2026-03-02T${hhmm}:00Z`) + day * 86_400_000).toISOString();

/** GitLab's hook timestamps: `2026-03-02 10:00:00 UTC`. */
export const gitlabAt = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

export async function send(app: TestApp, delivery: Delivery): Promise<string> {
  const body = JSON.stringify(delivery.payload);
  const headers =
    delivery.forge === 'github'
      ? githubHeaders(body, delivery.event)
      : {
          'content-type': 'application/json',
          'x-gitlab-event': delivery.event,
          'x-gitlab-event-uuid': randomUUID(),
          'x-gitlab-token': GITLAB_TOKEN,
        };
  const response = await app.request('POST', `/webhooks/${delivery.forge}`, {
    body,
    headers,
    token: null,
  });
  expect(response.status).toBe(202);
  return response.json<{ id: string }>().id;
}

/** Waits until the worker has taken every delivery to a final status (none dead). */
export async function settled(app: TestApp, ids: string[]): Promise<void> {
  await eventually(
    async () => {
      const [row] = await app.dataSource.query<{ n: string; bad: string }[]>(
        `SELECT count(*) FILTER (WHERE status IN ('processed', 'ignored', 'dead')) AS n,
                count(*) FILTER (WHERE status = 'dead') AS bad
         FROM deliveries WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      if (Number(row.bad) > 0) throw new Error('a scenario delivery went dead');
      return Number(row.n) === ids.length ? true : undefined;
    },
    60000,
    'the scenario deliveries to be processed',
  );
}

export async function sendInOrder(app: TestApp, deliveries: Delivery[]): Promise<void> {
  for (const delivery of deliveries) await settled(app, [await send(app, delivery)]);
}

export async function repositoryId(app: TestApp, fullName: string): Promise<string> {
  const [row] = await app.dataSource.query<{ id: string }[]>(
    'SELECT id FROM repositories WHERE full_name = $1',
    [fullName],
  );
  return row.id;
}

/** Waits until the refresh has consumed every change mark of the repository. */
export async function fresh(app: TestApp, id: string, timeoutMs = 30000): Promise<void> {
  await eventually(
    async () => {
      const [row] = await app.dataSource.query<{ n: string }[]>(
        'SELECT count(*) AS n FROM metric_dirty WHERE repository_id = $1',
        [id],
      );
      if (Number(row.n) === 0) return true;
      const failed = await app.request('GET', '/api/v1/admin/queues/followups/jobs?state=failed');
      if (failed.text.includes('metrics.refresh'))
        throw new Error(`refresh failed: ${failed.text.slice(0, 2000)}`);
      return undefined;
    },
    timeoutMs,
    'the metrics refresh',
  );
}

export type Figures = Record<string, unknown>;

/**
 * Every API answer about one repository in `window` (`from=…&to=…`), without what names the
 * repository or its records (ids differ between two copies of one scenario).
 */
export async function everything(app: TestApp, id: string, window: string): Promise<Figures> {
  const get = async (path: string) => {
    const response = await app.request(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}repository=${id}&${window}`,
    );
    expect(response.status).toBe(200);
    return response.json();
  };
  const strip = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v: unknown) =>
      [
        'repositoryId',
        'repositoryFullName',
        'id',
        'deploymentId',
        'restoredByDeploymentId',
        'pullRequestId',
        'issueId',
        'authorPersonId',
        'identityId',
        'personId',
        'login',
        'sha',
      ].includes(key)
        ? undefined
        : v,
    );
  return strip({
    dora: await get('/api/v1/metrics/dora'),
    series: await get('/api/v1/metrics/dora/series?interval=day'),
    deployments: await get('/api/v1/metrics/dora/deployments'),
    pullRequests: await get('/api/v1/metrics/pull-requests'),
    items: await get('/api/v1/metrics/pull-requests/items'),
  }) as Figures;
}

/** Who pushes in a GitHub scenario: the `sender` object; its login also names the commits' author. */
export interface GithubPusher extends Json {
  id: number;
  login: string;
}

/**
 * A GitHub repository of a scenario: its payload object, and `push` deliveries whose commits
 * `pusher` authored, each touching `file`. Commits are `[sha, ISO time]`.
 */
export function githubRepository(fullName: string, id: number, pusher: GithubPusher, file: string) {
  const [owner, name] = fullName.split('/');
  const repository = {
    id,
    name,
    full_name: fullName,
    private: false,
    html_url: `https://github.example.test/${fullName}`,
    default_branch: 'main',
    owner: { id: 1, login: owner, type: 'Organization' },
  };
  const email = `${pusher.login}@example.test`;
  const commit = (sha: string, at: string): Json => ({
    id: sha,
    tree_id: randomBytes(20).toString('hex'),
    distinct: true,
    message: `commit ${sha.slice(0, 7)}`,
    timestamp: at,
    url: `https://github.example.test/${fullName}/commit/${sha}`,
    author: { name: pusher.login, email, username: pusher.login },
    committer: { name: pusher.login, email },
    added: [],
    removed: [],
    modified: [file],
  });
  const push = (ref: string, before: string, commits: Array<[string, string]>): Delivery => {
    const last = commits[commits.length - 1];
    return {
      forge: 'github',
      event: 'push',
      payload: {
        ref: `refs/heads/${ref}`,
        before,
        after: last[0],
        created: false,
        deleted: false,
        forced: false,
        commits: commits.map(([sha, at]) => commit(sha, at)),
        head_commit: commit(last[0], last[1]),
        repository: { ...repository, pushed_at: Math.floor(Date.parse(last[1]) / 1000) + 60 },
        pusher: { name: pusher.login, email },
        sender: pusher,
      },
    };
  };
  return { repository, push };
}

/** Who pushes in a GitLab scenario. */
export interface GitlabUser {
  id: number;
  name: string;
  username: string;
  email: string;
}

/**
 * A GitLab project of a scenario (`group/name-<id>`): its payload object, web address, and
 * `Push Hook` deliveries whose commits `user` authored, each touching `file`.
 */
export function gitlabProject(path: string, id: number, user: GitlabUser, file: string) {
  const web = `https://gitlab.example.test/${path}`;
  const project = {
    id,
    name: path.split('/')[1],
    web_url: web,
    path_with_namespace: path,
    default_branch: 'main',
    visibility_level: 0,
  };
  const push = (ref: string, before: string, commits: Array<[string, string]>): Delivery => ({
    forge: 'gitlab',
    event: 'Push Hook',
    payload: {
      object_kind: 'push',
      event_name: 'push',
      before,
      after: commits[commits.length - 1][0],
      ref: `refs/heads/${ref}`,
      checkout_sha: commits[commits.length - 1][0],
      user_id: user.id,
      user_name: user.name,
      user_username: user.username,
      user_email: user.email,
      project_id: id,
      project,
      commits: commits.map(([sha, at]) => ({
        id: sha,
        message: `commit ${sha.slice(0, 7)}`,
        title: `commit ${sha.slice(0, 7)}`,
        timestamp: at,
        url: `${web}/-/commit/${sha}`,
        author: { name: user.name, email: user.email },
        added: [],
        modified: [file],
        removed: [],
      })),
      total_commits_count: commits.length,
      repository: { name: project.name, homepage: web },
    },
  });
  return { project, web, push };
}
