import webhookExamples, { type WebhookDefinition } from '@octokit/webhooks-examples';
import {
  UnreadablePayloadError,
  type CiConclusion,
  type CiStatus,
  type DomainEvent,
  type DomainEventKind,
} from '../../../activity/domain-events';
import { GitHubAdapter } from './github.adapter';
import { normalizeGitHub } from './normalize';

type EventName = WebhookDefinition['name'];
type ExampleOf<N extends EventName> = WebhookDefinition<N>['examples'][number];
type EventOfKind<K extends DomainEventKind> = Extract<DomainEvent, { kind: K }>;

const MODELLED_EVENTS = [
  'push',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'issue_comment',
  'commit_comment',
  'issues',
  'workflow_run',
  'check_suite',
  'workflow_job',
  'check_run',
  'deployment',
  'deployment_status',
  'release',
] as const satisfies readonly EventName[];

function examplesOf<N extends EventName>(name: N): ExampleOf<N>[] {
  const definition = webhookExamples.find((candidate) => candidate.name === name);
  if (definition === undefined || definition.examples.length === 0) {
    throw new Error(`@octokit/webhooks-examples has no ${name} examples`);
  }
  // The definition list is not narrowed by name; the cast restates what the find above checked.
  const examples: readonly unknown[] = definition.examples;
  return examples as ExampleOf<N>[];
}

/** Each example with a readable title, for it.each. */
function casesOf<N extends EventName>(name: N): [string, ExampleOf<N>][] {
  return examplesOf(name).map((example, index) => {
    const action = 'action' in example && typeof example.action === 'string' ? example.action : '-';
    return [`#${index} (${action})`, example];
  });
}

/** A deep copy of the first example with the given action, to alter for one test. */
function exampleWith<N extends EventName>(name: N, action?: string): ExampleOf<N> {
  const example = examplesOf(name).find(
    (candidate) => action === undefined || ('action' in candidate && candidate.action === action),
  );
  if (example === undefined) throw new Error(`no ${name} example with action ${action}`);
  return structuredClone(example);
}

/** The same object, open to edits the typed example does not allow (deleting, bad values). */
function loose(value: object): Record<string, unknown> {
  return value as Record<string, unknown>;
}

function only<K extends DomainEventKind>(events: DomainEvent[], kind: K): EventOfKind<K> {
  expect(events).toHaveLength(1);
  const [event] = events;
  expect(event.kind).toBe(kind);
  return event as EventOfKind<K>;
}

function expectTimestamp(value: string | undefined): void {
  expect(value).toEqual(expect.any(String));
  expect(Number.isNaN(Date.parse(value ?? ''))).toBe(false);
}

interface RepositoryLike {
  id: number;
  full_name: string;
  name: string;
  html_url: string;
  private: boolean;
  default_branch: string;
}

function expectRepository(event: DomainEvent, repository: RepositoryLike): void {
  expect(event.repository).toEqual({
    externalId: String(repository.id),
    fullName: repository.full_name,
    name: repository.name,
    defaultBranch: repository.default_branch,
    url: repository.html_url,
    private: repository.private,
  });
}

function expectedCiStatus(status: string | null): CiStatus {
  if (status === 'in_progress' || status === 'completed') return status;
  if (status === 'queued' || status === 'waiting' || status === 'requested') return 'queued';
  throw new Error(`the example has an unexpected CI status ${status}`);
}

function expectedConclusion(conclusion: string | null): CiConclusion | undefined {
  return conclusion === null ? undefined : (conclusion as CiConclusion);
}

function isoOfUnixSeconds(seconds: number | string): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

describe('normalizeGitHub over every @octokit/webhooks-examples payload', () => {
  const modelled = new Set<string>(MODELLED_EVENTS);

  it('covers the 14 modelled events, each with examples', () => {
    for (const name of MODELLED_EVENTS) {
      expect(examplesOf(name).length).toBeGreaterThan(0);
    }
  });

  describe.each(MODELLED_EVENTS)('%s', (name) => {
    it.each(casesOf(name))(
      'example %s gives well-formed events with no undefined fields',
      (_title, example) => {
        const events = normalizeGitHub(name, example);
        for (const event of events) {
          expectTimestamp(event.occurredAt);
          // Optional fields are omitted, never present as undefined.
          expect(JSON.parse(JSON.stringify(event))).toStrictEqual(event);
        }
      },
    );
  });

  it.each(casesOf('push'))('push %s', (_title, push) => {
    const event = only(normalizeGitHub('push', push), 'push');
    expectRepository(event, push.repository);
    expect(event.ref).toBe(push.ref);
    expect(event.before).toBe(push.before);
    expect(event.after).toBe(push.after);
    expect(event.deleted).toBe(push.deleted);
    expect(event.forced).toBe(push.forced);
    expect(event.occurredAt).toBe(isoOfUnixSeconds(push.repository.pushed_at ?? 0));
    expect(event.pusher).toEqual({
      externalId: String(push.sender.id),
      login: push.sender.login,
      avatarUrl: push.sender.avatar_url,
      bot: false,
      email: push.pusher.email,
    });
    expect(event.commits).toHaveLength(push.commits.length);
    push.commits.forEach((commit, index) => {
      const normalized = event.commits[index];
      expect(normalized.sha).toBe(commit.id);
      expect(normalized.message).toBe(commit.message);
      expect(normalized.timestamp).toBe(commit.timestamp);
      expect(normalized.url).toBe(commit.url);
      expect(normalized.author).toEqual({
        name: commit.author.name,
        email: commit.author.email,
        ...(commit.author.username === undefined ? {} : { login: commit.author.username }),
      });
      expect(normalized.committer?.login).toBe(commit.committer.username);
      expect(normalized.added).toEqual(commit.added);
      expect(normalized.modified).toEqual(commit.modified);
      expect(normalized.removed).toEqual(commit.removed);
    });
  });

  it.each(casesOf('pull_request'))('pull_request %s', (_title, payload) => {
    const event = only(normalizeGitHub('pull_request', payload), 'pull_request');
    const pullRequest = payload.pull_request;
    expectRepository(event, payload.repository);
    const merged = pullRequest.merged === true;
    const expectedAction = ((): string => {
      if (payload.action === 'closed') return merged ? 'merged' : 'closed';
      const modelledActions = [
        'opened',
        'edited',
        'synchronize',
        'ready_for_review',
        'converted_to_draft',
        'review_requested',
        'reopened',
        'labeled',
      ];
      return modelledActions.includes(payload.action) ? payload.action : 'other';
    })();
    expect(event.action).toBe(expectedAction);
    expect(event.actor?.login).toBe(payload.sender.login);
    expect(event.pullRequest).toMatchObject({
      externalId: String(pullRequest.id),
      number: payload.number,
      title: pullRequest.title,
      state: merged ? 'merged' : pullRequest.state,
      draft: pullRequest.draft,
      headRef: pullRequest.head.ref,
      baseRef: pullRequest.base.ref,
      headSha: pullRequest.head.sha,
      url: pullRequest.html_url,
      labels: pullRequest.labels.map((label) => label.name),
      createdAt: pullRequest.created_at,
      updatedAt: pullRequest.updated_at,
      additions: pullRequest.additions,
      deletions: pullRequest.deletions,
      changedFiles: pullRequest.changed_files,
      commitsCount: pullRequest.commits,
    });
    expect(event.pullRequest.number).toBe(pullRequest.number);
    expect(event.pullRequest.mergedAt).toBe(pullRequest.merged_at ?? undefined);
    expect(event.pullRequest.closedAt).toBe(pullRequest.closed_at ?? undefined);
    expect(event.pullRequest.author?.externalId).toBe(String(pullRequest.user.id));
    expect(event.pullRequest.requestedReviewers?.map((reviewer) => reviewer.login)).toEqual(
      pullRequest.requested_reviewers.map((reviewer) =>
        'login' in reviewer ? reviewer.login : '',
      ),
    );
    expect(event.occurredAt).toBe(pullRequest.updated_at);
  });

  it.each(casesOf('pull_request_review'))('pull_request_review %s', (_title, payload) => {
    const event = only(normalizeGitHub('pull_request_review', payload), 'review');
    expectRepository(event, payload.repository);
    expect(event.review).toEqual({
      externalId: String(payload.review.id),
      state: payload.review.state.toLowerCase(),
      author: expect.objectContaining({ login: payload.review.user.login }),
      submittedAt: payload.review.submitted_at,
      commitSha: payload.review.commit_id,
      url: payload.review.html_url,
    });
    expect(event.pullRequest.number).toBe(payload.pull_request.number);
    expect(event.pullRequest.state).toBe(payload.pull_request.state);
    expect(event.pullRequest.updatedAt).toBe(payload.pull_request.updated_at);
    expect(event.occurredAt).toBe(payload.review.submitted_at);
  });

  it.each(casesOf('pull_request_review_comment'))(
    'pull_request_review_comment %s',
    (_title, payload) => {
      const event = only(normalizeGitHub('pull_request_review_comment', payload), 'comment');
      expectRepository(event, payload.repository);
      expect(event.action).toBe(payload.action);
      expect(event.target).toEqual({ type: 'pull_request', number: payload.pull_request.number });
      expect(event.comment).toMatchObject({
        externalId: String(payload.comment.id),
        body: payload.comment.body,
        createdAt: payload.comment.created_at,
        updatedAt: payload.comment.updated_at,
        path: payload.comment.path,
        url: payload.comment.html_url,
      });
      expect(event.comment.line).toBe(payload.comment.line ?? undefined);
    },
  );

  it.each(casesOf('issue_comment'))('issue_comment %s', (_title, payload) => {
    const event = only(normalizeGitHub('issue_comment', payload), 'comment');
    expectRepository(event, payload.repository);
    expect(event.action).toBe(payload.action);
    expect(event.target).toEqual({
      type: payload.issue.pull_request === undefined ? 'issue' : 'pull_request',
      number: payload.issue.number,
    });
    expect(event.comment).toEqual({
      externalId: String(payload.comment.id),
      body: payload.comment.body,
      author: expect.objectContaining({ externalId: String(payload.comment.user.id) }),
      createdAt: payload.comment.created_at,
      updatedAt: payload.comment.updated_at,
      url: payload.comment.html_url,
    });
    expect(event.occurredAt).toBe(payload.comment.updated_at);
  });

  it.each(casesOf('commit_comment'))('commit_comment %s', (_title, payload) => {
    const event = only(normalizeGitHub('commit_comment', payload), 'comment');
    expect(event.action).toBe('created');
    expect(event.target).toEqual({ type: 'commit', sha: payload.comment.commit_id });
    expect(event.comment.externalId).toBe(String(payload.comment.id));
    expect(event.comment.path).toBe(payload.comment.path ?? undefined);
    expect(event.comment.line).toBe(payload.comment.line ?? undefined);
  });

  it.each(casesOf('issues'))('issues %s', (_title, payload) => {
    const events = normalizeGitHub('issues', payload);
    const issue = payload.issue;
    if ('pull_request' in issue && issue.pull_request !== undefined) {
      expect(events).toEqual([]);
      return;
    }
    const event = only(events, 'issue');
    expectRepository(event, payload.repository);
    const modelledActions = ['opened', 'edited', 'closed', 'reopened', 'labeled'];
    expect(event.action).toBe(modelledActions.includes(payload.action) ? payload.action : 'other');
    expect(event.issue).toMatchObject({
      externalId: String(issue.id),
      number: issue.number,
      title: issue.title,
      state: issue.state ?? (issue.closed_at === null ? 'open' : 'closed'),
      labels: (issue.labels ?? []).map((label) => label.name),
      url: issue.html_url,
      createdAt: issue.created_at,
      updatedAt: issue.updated_at,
    });
    expect(event.issue.closedAt).toBe(issue.closed_at ?? undefined);
    expect(event.issue.body).toBe(issue.body ?? undefined);
    expect(event.occurredAt).toBe(issue.updated_at);
  });

  it.each(casesOf('workflow_run'))('workflow_run %s', (_title, payload) => {
    const event = only(normalizeGitHub('workflow_run', payload), 'ci_run');
    const run = payload.workflow_run;
    expectRepository(event, payload.repository);
    const status = expectedCiStatus(run.status);
    expect(event.run).toMatchObject({
      externalId: String(run.id),
      source: 'workflow_run',
      status,
      headSha: run.head_sha,
      headBranch: run.head_branch,
      trigger: run.event,
      runNumber: run.run_number,
      url: run.html_url,
      pullRequestNumbers: run.pull_requests.map((pullRequest) => pullRequest.number),
      createdAt: run.created_at,
      updatedAt: run.updated_at,
    });
    expect(event.run.conclusion).toBe(expectedConclusion(run.conclusion));
    expect(event.run.completedAt).toBe(status === 'completed' ? run.updated_at : undefined);
    // Runs of an unnamed workflow (name "") are named by their display title.
    const displayTitle = 'display_title' in run ? run.display_title : undefined;
    expect(event.run.name).toBe(run.name || displayTitle || undefined);
  });

  it.each(casesOf('check_suite'))('check_suite %s', (_title, payload) => {
    const event = only(normalizeGitHub('check_suite', payload), 'ci_run');
    const suite = payload.check_suite;
    expectRepository(event, payload.repository);
    expect(event.run).toMatchObject({
      externalId: String(suite.id),
      source: 'check_suite',
      name: suite.app.name,
      status: expectedCiStatus(suite.status),
      headSha: suite.head_sha,
      headBranch: suite.head_branch,
      pullRequestNumbers: suite.pull_requests.map((pullRequest) => pullRequest.number),
      createdAt: suite.created_at,
      updatedAt: suite.updated_at,
    });
    expect(event.run.conclusion).toBe(expectedConclusion(suite.conclusion));
  });

  it.each(casesOf('workflow_job'))('workflow_job %s', (_title, payload) => {
    const event = only(normalizeGitHub('workflow_job', payload), 'ci_job');
    const job = payload.workflow_job;
    expectRepository(event, payload.repository);
    expect(event.job).toMatchObject({
      externalId: String(job.id),
      runExternalId: String(job.run_id),
      source: 'workflow_job',
      name: job.name,
      status: expectedCiStatus(job.status),
      headSha: job.head_sha,
      url: job.html_url,
      startedAt: job.started_at,
      updatedAt: job.completed_at ?? job.started_at,
    });
    expect(event.job.conclusion).toBe(expectedConclusion(job.conclusion));
    expect(event.job.completedAt).toBe(job.completed_at ?? undefined);
    expect(event.job.runnerName).toBe(job.runner_name ?? undefined);
    // One example has no created_at; started_at stands in.
    expect(event.job.createdAt).toBe(
      'created_at' in job && typeof job.created_at === 'string' ? job.created_at : job.started_at,
    );
  });

  it.each(casesOf('check_run'))('check_run %s', (_title, payload) => {
    const event = only(normalizeGitHub('check_run', payload), 'ci_job');
    const checkRun = payload.check_run;
    expectRepository(event, payload.repository);
    expect(event.job).toMatchObject({
      externalId: String(checkRun.id),
      runExternalId: String(checkRun.check_suite.id),
      source: 'check_run',
      name: checkRun.name,
      status: expectedCiStatus(checkRun.status),
      headSha: checkRun.head_sha,
      headBranch: checkRun.check_suite.head_branch,
      url: checkRun.html_url,
      createdAt: checkRun.started_at,
      startedAt: checkRun.started_at,
      updatedAt: checkRun.completed_at ?? checkRun.started_at,
    });
    expect(event.job.conclusion).toBe(expectedConclusion(checkRun.conclusion));
  });

  it.each(casesOf('deployment'))('deployment %s', (_title, payload) => {
    const event = only(normalizeGitHub('deployment', payload), 'deployment');
    expectRepository(event, payload.repository);
    expect(event.status).toBeUndefined();
    expect(event.deployment).toEqual({
      externalId: String(payload.deployment.id),
      environment: payload.deployment.environment,
      ref: payload.deployment.ref,
      sha: payload.deployment.sha,
      creator: expect.objectContaining({ login: payload.deployment.creator?.login }),
      ...('production_environment' in payload.deployment &&
      typeof payload.deployment.production_environment === 'boolean'
        ? { production: payload.deployment.production_environment }
        : {}),
      createdAt: payload.deployment.created_at,
      updatedAt: payload.deployment.updated_at,
    });
    expect(event.occurredAt).toBe(payload.deployment.updated_at);
  });

  it.each(casesOf('deployment_status'))('deployment_status %s', (_title, payload) => {
    const event = only(normalizeGitHub('deployment_status', payload), 'deployment');
    const status = payload.deployment_status;
    expectRepository(event, payload.repository);
    expect(event.deployment.externalId).toBe(String(payload.deployment.id));
    expect(event.deployment.updatedAt).toBe(payload.deployment.updated_at);
    expect(event.status).toMatchObject({
      externalId: String(status.id),
      state: status.state,
      createdAt: status.created_at,
    });
    // Empty target_url and description mean "none".
    const logUrl = 'log_url' in status ? status.log_url : undefined;
    expect(event.status?.url).toBe(logUrl || status.target_url || undefined);
    expect(event.status?.description).toBe(status.description || undefined);
    expect(event.occurredAt).toBe(status.updated_at);
  });

  it.each(casesOf('release'))('release %s', (_title, payload) => {
    const event = only(normalizeGitHub('release', payload), 'release');
    const release = payload.release;
    expectRepository(event, payload.repository);
    const modelledActions = ['published', 'created', 'edited', 'deleted'];
    expect(event.action).toBe(modelledActions.includes(payload.action) ? payload.action : 'other');
    expect(event.release).toMatchObject({
      externalId: String(release.id),
      tagName: release.tag_name,
      draft: release.draft,
      prerelease: release.prerelease,
      url: release.html_url,
      createdAt: release.created_at,
      publishedAt: release.published_at,
      updatedAt: release.published_at ?? release.created_at,
    });
    expect(event.release.name).toBe(release.name || undefined);
    expect(event.release.author?.login).toBe(release.author.login);
  });

  const unmodelled = webhookExamples.filter((definition) => !modelled.has(definition.name));
  it.each(
    unmodelled.map((definition): [string, unknown[]] => [definition.name, definition.examples]),
  )('ignores every %s example', (name, examples) => {
    for (const example of examples) {
      expect(normalizeGitHub(name, example)).toEqual([]);
    }
  });
});

describe('normalizeGitHub', () => {
  describe('pull_request', () => {
    it('turns closed with merged=true into action and state "merged"', () => {
      const payload = exampleWith('pull_request', 'closed');
      payload.pull_request.merged = true;
      payload.pull_request.merged_at = '2019-05-15T15:21:18Z';
      payload.pull_request.merged_by = structuredClone(payload.sender);
      const event = only(normalizeGitHub('pull_request', payload), 'pull_request');
      expect(event.action).toBe('merged');
      expect(event.pullRequest.state).toBe('merged');
      expect(event.pullRequest.mergedAt).toBe('2019-05-15T15:21:18Z');
      expect(event.pullRequest.closedAt).toBe('2019-05-15T15:21:18Z');
      expect(event.pullRequest.mergedBy).toEqual({
        externalId: '21031067',
        login: 'Codertocat',
        avatarUrl: 'https://avatars1.githubusercontent.com/u/21031067?v=4',
        bot: false,
      });
    });

    it('keeps closed without a merge as action and state "closed"', () => {
      const event = only(
        normalizeGitHub('pull_request', exampleWith('pull_request', 'closed')),
        'pull_request',
      );
      expect(event.action).toBe('closed');
      expect(event.pullRequest.state).toBe('closed');
      expect(event.pullRequest.mergedAt).toBeUndefined();
    });

    it('maps actions it does not model to "other"', () => {
      const event = only(
        normalizeGitHub('pull_request', exampleWith('pull_request', 'assigned')),
        'pull_request',
      );
      expect(event.action).toBe('other');
      expect(event.pullRequest.number).toBe(2);
    });

    it('marks bot accounts', () => {
      const payload = exampleWith('pull_request', 'opened');
      payload.pull_request.user.type = 'Bot';
      const event = only(normalizeGitHub('pull_request', payload), 'pull_request');
      expect(event.pullRequest.author?.bot).toBe(true);
      expect(event.actor?.bot).toBe(false);
    });

    it('rejects a payload without its pull_request object', () => {
      const payload = loose({ ...exampleWith('pull_request', 'opened') });
      delete payload.pull_request;
      expect(() => normalizeGitHub('pull_request', payload)).toThrow(UnreadablePayloadError);
      expect(() => normalizeGitHub('pull_request', payload)).toThrow(
        'GitHub pull_request payload: pull_request is missing or not an object',
      );
    });

    it('rejects a pull request without a number', () => {
      const payload = exampleWith('pull_request', 'opened');
      const pullRequest = loose(payload.pull_request);
      delete pullRequest.number;
      const withoutNumber = loose({ ...payload });
      delete withoutNumber.number;
      expect(() => normalizeGitHub('pull_request', withoutNumber)).toThrow(
        'GitHub pull_request payload: pull_request.number is missing or not a whole number',
      );
    });

    it('rejects an unknown pull request state', () => {
      const payload = exampleWith('pull_request', 'opened');
      const pullRequest = loose(payload.pull_request);
      pullRequest.state = 'archived';
      expect(() => normalizeGitHub('pull_request', payload)).toThrow(UnreadablePayloadError);
    });
  });

  describe('pull_request_review', () => {
    it('skips a pending review (no submitted_at)', () => {
      const payload = exampleWith('pull_request_review', 'submitted');
      const review = loose(payload.review);
      review.state = 'pending';
      review.submitted_at = null;
      expect(normalizeGitHub('pull_request_review', payload)).toEqual([]);
    });

    it.each([
      ['approved', 'approved'],
      ['changes_requested', 'changes_requested'],
      ['commented', 'commented'],
      ['dismissed', 'dismissed'],
      ['APPROVED', 'approved'],
    ])('maps review state %s to %s', (sent, expected) => {
      const payload = exampleWith('pull_request_review', 'submitted');
      const review = loose(payload.review);
      review.state = sent;
      const event = only(normalizeGitHub('pull_request_review', payload), 'review');
      expect(event.review.state).toBe(expected);
    });

    it('rejects an unknown review state', () => {
      const payload = exampleWith('pull_request_review', 'submitted');
      const review = loose(payload.review);
      review.state = 'shrugged';
      expect(() => normalizeGitHub('pull_request_review', payload)).toThrow(
        'GitHub pull_request_review payload: review.state is "shrugged", not a known review state',
      );
    });
  });

  describe('push', () => {
    it('reports a tag push with its ref, and a tag deletion as deleted', () => {
      const [created, deleted] = examplesOf('push').filter((push) =>
        push.ref.startsWith('refs/tags/'),
      );
      const createdEvent = only(normalizeGitHub('push', created), 'push');
      expect(createdEvent.ref).toBe('refs/tags/simple-tag');
      expect(createdEvent.deleted).toBe(false);
      expect(createdEvent.commits).toEqual([]);
      const deletedEvent = only(normalizeGitHub('push', deleted), 'push');
      expect(deletedEvent.deleted).toBe(true);
      expect(deletedEvent.after).toBe('0000000000000000000000000000000000000000');
    });

    it('reads a branch push in full', () => {
      const push = examplesOf('push').find((candidate) => candidate.commits.length > 0);
      const event = only(normalizeGitHub('push', push), 'push');
      expect(event).toEqual({
        kind: 'push',
        repository: {
          externalId: '186853002',
          fullName: 'Codertocat/Hello-World',
          name: 'Hello-World',
          defaultBranch: 'master',
          url: 'https://github.com/Codertocat/Hello-World',
          private: false,
        },
        ref: 'refs/heads/master',
        before: '0000000000000000000000000000000000000000',
        after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        pusher: {
          externalId: '21031067',
          login: 'Codertocat',
          avatarUrl: 'https://avatars1.githubusercontent.com/u/21031067?v=4',
          bot: false,
          email: '21031067+Codertocat@users.noreply.github.com',
        },
        commits: [
          {
            sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
            message: 'Initial commit',
            author: {
              name: 'Codertocat',
              email: '21031067+Codertocat@users.noreply.github.com',
              login: 'Codertocat',
            },
            committer: {
              name: 'Codertocat',
              email: '21031067+Codertocat@users.noreply.github.com',
              login: 'Codertocat',
            },
            timestamp: '2019-05-15T15:19:25Z',
            url: 'https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246',
            added: ['README.md'],
            modified: [],
            removed: [],
          },
        ],
        deleted: false,
        forced: false,
        occurredAt: '2019-05-15T15:20:57.000Z',
      });
    });

    it('dates a push by head_commit.timestamp when the repository has no pushed_at', () => {
      const push = exampleWith('push');
      const repository = loose(push.repository);
      delete repository.pushed_at;
      const event = only(normalizeGitHub('push', push), 'push');
      expect(event.occurredAt).toBe('2019-05-15T15:20:41Z');
    });

    it('keeps the pusher as name and email when the sender is someone else', () => {
      const push = exampleWith('push');
      push.pusher = { name: 'deploy-bot', email: 'deploy@example.com' };
      const event = only(normalizeGitHub('push', push), 'push');
      expect(event.pusher).toEqual({ name: 'deploy-bot', email: 'deploy@example.com' });
    });

    it('rejects a push without a repository', () => {
      const push = loose({ ...exampleWith('push') });
      delete push.repository;
      expect(() => normalizeGitHub('push', push)).toThrow(
        new UnreadablePayloadError('GitHub push payload: repository is missing or not an object'),
      );
    });

    it('rejects a commit without a sha', () => {
      const push = structuredClone(
        examplesOf('push').find((candidate) => candidate.commits.length > 0),
      );
      const commit = push?.commits[0];
      if (commit !== undefined) delete loose(commit).id;
      expect(() => normalizeGitHub('push', push)).toThrow(
        'GitHub push payload: commits[0].id is missing or not a non-empty string',
      );
    });
  });

  describe('comments', () => {
    it('targets the pull request for an issue_comment on a pull request', () => {
      const payload = exampleWith('issue_comment', 'created');
      const issue = loose(payload.issue);
      issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
      const event = only(normalizeGitHub('issue_comment', payload), 'comment');
      expect(event.target).toEqual({ type: 'pull_request', number: 1 });
    });

    it('targets the issue for an issue_comment on an issue', () => {
      const event = only(
        normalizeGitHub('issue_comment', exampleWith('issue_comment', 'created')),
        'comment',
      );
      expect(event.target).toEqual({ type: 'issue', number: 1 });
    });

    it('ignores comment actions it does not model', () => {
      const payload = loose({ ...exampleWith('issue_comment', 'created') });
      payload.action = 'pinned';
      expect(normalizeGitHub('issue_comment', payload)).toEqual([]);
    });
  });

  describe('issues', () => {
    it('ignores issues events about a pull request', () => {
      const payload = examplesOf('issues').find(
        (candidate) => 'pull_request' in candidate.issue && candidate.issue.pull_request,
      );
      expect(payload).toBeDefined();
      expect(normalizeGitHub('issues', payload)).toEqual([]);
    });

    it('reads a closed issue', () => {
      const payload = exampleWith('issues', 'opened');
      const issue = loose(payload.issue);
      issue.state = 'closed';
      issue.closed_at = '2019-05-16T10:00:00Z';
      const closed = loose({ ...payload, action: 'closed' });
      const event = only(normalizeGitHub('issues', closed), 'issue');
      expect(event.action).toBe('closed');
      expect(event.issue.state).toBe('closed');
      expect(event.issue.closedAt).toBe('2019-05-16T10:00:00Z');
    });
  });

  describe('CI', () => {
    it('maps a waiting workflow job to queued', () => {
      const payload = exampleWith('workflow_job', 'waiting');
      const event = only(normalizeGitHub('workflow_job', payload), 'ci_job');
      expect(payload.workflow_job.status).toBe('waiting');
      expect(event.job.status).toBe('queued');
      expect(event.job.conclusion).toBeUndefined();
    });

    it('reports a workflow run that could not start as a failure', () => {
      const payload = exampleWith('workflow_run', 'completed');
      const run = loose(payload.workflow_run);
      run.status = 'completed';
      run.conclusion = 'startup_failure';
      const event = only(normalizeGitHub('workflow_run', payload), 'ci_run');
      expect(event.run.status).toBe('completed');
      expect(event.run.conclusion).toBe('failure');
    });

    it('omits a conclusion it does not know', () => {
      const payload = exampleWith('check_run', 'completed');
      const checkRun = loose(payload.check_run);
      checkRun.conclusion = 'something_new';
      const event = only(normalizeGitHub('check_run', payload), 'ci_job');
      expect(event.job.status).toBe('completed');
      expect(event.job).not.toHaveProperty('conclusion');
    });

    it('rejects an unknown CI status', () => {
      const payload = exampleWith('check_suite', 'completed');
      const suite = loose(payload.check_suite);
      suite.status = 'sleeping';
      expect(() => normalizeGitHub('check_suite', payload)).toThrow(
        'GitHub check_suite payload: check_suite.status is "sleeping", not a known CI status',
      );
    });

    it('orders a job by completed_at, then started_at', () => {
      const completed = only(
        normalizeGitHub('workflow_job', exampleWith('workflow_job', 'completed')),
        'ci_job',
      );
      expect(completed.job.updatedAt).toBe('2021-08-05T10:38:16Z');
      expect(completed.occurredAt).toBe('2021-08-05T10:38:16Z');
      const inProgress = only(
        normalizeGitHub('workflow_job', exampleWith('workflow_job', 'in_progress')),
        'ci_job',
      );
      expect(inProgress.job.updatedAt).toBe(inProgress.job.startedAt);
    });
  });

  describe('deployments', () => {
    it('rejects a deployment_status payload without its status', () => {
      const payload = loose({ ...exampleWith('deployment_status') });
      delete payload.deployment_status;
      expect(() => normalizeGitHub('deployment_status', payload)).toThrow(
        'GitHub deployment_status payload: deployment_status is missing or not an object',
      );
    });

    it('rejects an unknown deployment state', () => {
      const payload = exampleWith('deployment_status');
      const status = loose(payload.deployment_status);
      status.state = 'exploded';
      expect(() => normalizeGitHub('deployment_status', payload)).toThrow(UnreadablePayloadError);
    });

    it.each(['pending', 'queued', 'in_progress', 'success', 'failure', 'error', 'inactive'])(
      'keeps deployment state %s',
      (state) => {
        const payload = exampleWith('deployment_status');
        const status = loose(payload.deployment_status);
        status.state = state;
        const event = only(normalizeGitHub('deployment_status', payload), 'deployment');
        expect(event.status?.state).toBe(state);
      },
    );
  });

  describe('what metrics need', () => {
    it('keeps the production flag of a deployment', () => {
      const payload = exampleWith('deployment_status');
      loose(payload.deployment).production_environment = true;
      const event = only(normalizeGitHub('deployment_status', payload), 'deployment');
      expect(event.deployment.production).toBe(true);
    });

    it('keeps the merge commit of a merged pull request, not of an open one', () => {
      const merged = exampleWith('pull_request', 'closed');
      const pr = loose(merged.pull_request);
      pr.merged = true;
      pr.merged_at = pr.closed_at ?? '2024-01-01T00:00:00Z';
      pr.merge_commit_sha = 'c4295bd74fb0f4fda03689c3df3f2803b658fd85';
      expect(
        only(normalizeGitHub('pull_request', merged), 'pull_request').pullRequest,
      ).toMatchObject({
        state: 'merged',
        mergeCommitSha: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85',
      });
      const open = exampleWith('pull_request', 'opened');
      loose(open.pull_request).merge_commit_sha = 'c4295bd74fb0f4fda03689c3df3f2803b658fd85';
      expect(
        only(normalizeGitHub('pull_request', open), 'pull_request').pullRequest.mergeCommitSha,
      ).toBeUndefined();
    });
  });

  describe('releases', () => {
    it('dates a draft release by created_at', () => {
      const payload = exampleWith('release', 'created');
      const release = loose(payload.release);
      release.draft = true;
      release.published_at = null;
      const event = only(normalizeGitHub('release', payload), 'release');
      expect(event.release.draft).toBe(true);
      expect(event.release).not.toHaveProperty('publishedAt');
      expect(event.release.updatedAt).toBe('2019-05-15T15:19:25Z');
    });
  });

  describe('events it does not model', () => {
    it.each(['ping', 'star', 'fork', 'member', 'watch', 'create', 'delete', 'status', 'unknown'])(
      'ignores %s',
      (name) => {
        expect(normalizeGitHub(name, { zen: 'Design for failure.', ref_type: 'tag' })).toEqual([]);
      },
    );

    it('ignores property names of plain objects', () => {
      expect(normalizeGitHub('constructor', {})).toEqual([]);
      expect(normalizeGitHub('__proto__', {})).toEqual([]);
    });

    it('ignores the payload of an unmodelled event whatever its shape', () => {
      expect(normalizeGitHub('ping', 'not an object')).toEqual([]);
    });

    it('rejects a modelled event whose payload is not an object', () => {
      expect(() => normalizeGitHub('push', ['a', 'list'])).toThrow(
        'GitHub push payload: the payload is not a JSON object',
      );
      expect(() => normalizeGitHub('issues', null)).toThrow(UnreadablePayloadError);
    });
  });
});

describe('GitHubAdapter.normalize', () => {
  it('delegates to normalizeGitHub', () => {
    const payload = exampleWith('release', 'published');
    expect(new GitHubAdapter().normalize('release', payload, {})).toEqual(
      normalizeGitHub('release', payload),
    );
    expect(new GitHubAdapter().normalize('ping', {}, { 'x-github-event': 'ping' })).toEqual([]);
  });
});
