import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { hmacHex } from '../support/signing';

/**
 * GitLab, Gitea and Bitbucket Cloud deliveries through the real HTTP endpoint (signed), the queue
 * and the worker, then the engineering record they leave. Every id and name is unique to the run:
 * the database is shared with the other test files.
 */

type Json = Record<string, unknown>;
type Forge = 'gitlab' | 'gitea' | 'bitbucket';
type FinalStatus = 'processed' | 'ignored' | 'dead';

interface Delivery {
  forge: Forge;
  /** Unique within the forge; how the assertions find the delivery again. */
  name: string;
  /** X-Gitlab-Event, X-Gitea-Event or X-Event-Key. */
  event: string;
  /** X-Gitea-Event-Type (Gitea only); the event name when absent. */
  eventType?: string;
  payload: Json;
  expected: FinalStatus;
}

interface SentDelivery extends Delivery {
  id: string;
}

const GITLAB_TOKEN = 'gitlab-forges-e2e-token';
const GITEA_SECRET = 'gitea-forges-e2e-secret';
const BITBUCKET_SECRET = 'bitbucket-forges-e2e-secret';

const run = randomUUID().slice(0, 8);
const sha = (): string => randomBytes(20).toString('hex');
const numericId = (): number => randomInt(1_000_000_000, 2 ** 47);
const braced = (): string => `{${randomUUID()}}`;
const ZERO_SHA = '0'.repeat(40);

// The same verified account email on GitLab and Gitea: one person.
const ADA_EMAIL = `ada-${run}@hookyard.test`;
const BOB_GITEA_EMAIL = `bob-${run}@hookyard.test`;
// Commit authors (git headers, never verified); mixed case on purpose: stored lower-cased.
const ADA_COMMIT_EMAIL = `Ada.Lovelace+${run}@Example.COM`;
const GRACE_COMMIT_EMAIL = `Grace.Hopper+${run}@Example.COM`;

// Forge time: minutes after a fixed instant, in each forge's own spelling.
const T0 = Date.parse('2026-03-02T10:00:00Z');
const at = (minute: number): string => new Date(T0 + minute * 60_000).toISOString();
/** `2026-03-02T11:05:00.000+01:00`: the same instant with an offset (Gitea, GitLab commits). */
const offsetAt = (minute: number): string =>
  new Date(T0 + minute * 60_000 + 3_600_000).toISOString().replace('Z', '+01:00');
/** `2026-03-02 10:05:00 UTC`: GitLab's hook timestamps. */
const gitlabAt = (minute: number): string =>
  at(minute)
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
/** `2026-03-02 11:05:00 +0100`: GitLab's deployment status_changed_at. */
const gitlabOffsetAt = (minute: number): string =>
  offsetAt(minute)
    .replace('T', ' ')
    .replace(/\.\d+\+01:00$/, ' +0100');
const instant = (timestamp: string): string => new Date(timestamp).toISOString();

/** Commit authors by index: c0 and c2 by Ada, c1 and c3 by Grace. */
const AUTHORS: ReadonlyArray<{ name: string; email: string }> = [
  { name: 'Ada Lovelace', email: ADA_COMMIT_EMAIL },
  { name: 'Grace Hopper', email: GRACE_COMMIT_EMAIL },
  { name: 'Ada Lovelace', email: ADA_COMMIT_EMAIL },
  { name: 'Grace Hopper', email: GRACE_COMMIT_EMAIL },
];

/** Per forge: a base commit, four pushed commits (c2 arrives in two pushes) and a tag object. */
interface ForgeCommits {
  base: string;
  c: [string, string, string, string];
  tagObject: string;
}
const commitsOfRun = (): ForgeCommits => ({
  base: sha(),
  c: [sha(), sha(), sha(), sha()],
  tagObject: sha(),
});

// ─── GitLab ──────────────────────────────────────────────────────────────────────────────────

const GL = {
  projectId: numericId(),
  name: `gl-${run}`,
  path: `hookyard-e2e/gl-${run}`,
  web: `https://gitlab.example.test/hookyard-e2e/gl-${run}`,
  ada: numericId(),
  bob: numericId(),
  commits: commitsOfRun(),
  mrId: numericId(),
  mrIid: 7,
  issueId: numericId(),
  issueIid: 3,
  noteOnMr: numericId(),
  noteOnIssue: numericId(),
  pipelineId: numericId(),
  jobs: { failed: numericId(), running: numericId(), manual: numericId() },
  deploymentId: numericId(),
  releaseId: numericId(),
};

function gitlabProject(): Json {
  return {
    id: GL.projectId,
    name: GL.name,
    description: 'Hookyard end-to-end project',
    web_url: GL.web,
    avatar_url: null,
    git_ssh_url: `git@gitlab.example.test:${GL.path}.git`,
    git_http_url: `${GL.web}.git`,
    namespace: 'hookyard-e2e',
    visibility_level: 0,
    path_with_namespace: GL.path,
    default_branch: 'main',
    ci_config_path: null,
    homepage: GL.web,
    url: `git@gitlab.example.test:${GL.path}.git`,
    ssh_url: `git@gitlab.example.test:${GL.path}.git`,
    http_url: `${GL.web}.git`,
  };
}

function gitlabRepository(): Json {
  return {
    name: GL.name,
    url: `git@gitlab.example.test:${GL.path}.git`,
    description: 'Hookyard end-to-end project',
    homepage: GL.web,
    git_http_url: `${GL.web}.git`,
    git_ssh_url: `git@gitlab.example.test:${GL.path}.git`,
    visibility_level: 0,
  };
}

function gitlabUser(who: 'ada' | 'bob'): Json {
  return who === 'ada'
    ? {
        id: GL.ada,
        name: 'Ada Lovelace',
        username: `ada-${run}`,
        avatar_url: 'https://gitlab.example.test/uploads/ada.png',
        email: ADA_EMAIL,
      }
    : {
        id: GL.bob,
        name: 'Bob Builder',
        username: `bob-${run}`,
        avatar_url: 'https://gitlab.example.test/uploads/bob.png',
        // GitLab hides emails the user did not make public.
        email: '[REDACTED]',
      };
}

function gitlabCommit(index: number): Json {
  const id = GL.commits.c[index];
  return {
    id,
    message: `Change ${index}\n\nBody of change ${index}.\n`,
    title: `Change ${index}`,
    timestamp: offsetAt(index + 1),
    url: `${GL.web}/-/commit/${id}`,
    author: AUTHORS[index],
    added: [`src/file-${index}.ts`],
    modified: ['README.md'],
    removed: [],
  };
}

function gitlabPush(ref: string, before: string, indexes: number[]): Json {
  const commits = indexes.map(gitlabCommit);
  const after = GL.commits.c[indexes[indexes.length - 1]];
  return {
    object_kind: 'push',
    event_name: 'push',
    before,
    after,
    ref,
    ref_protected: ref === 'refs/heads/main',
    checkout_sha: after,
    message: null,
    user_id: GL.ada,
    user_name: 'Ada Lovelace',
    user_username: `ada-${run}`,
    user_email: ADA_EMAIL,
    user_avatar: 'https://gitlab.example.test/uploads/ada.png',
    project_id: GL.projectId,
    project: gitlabProject(),
    commits,
    total_commits_count: commits.length,
    push_options: {},
    repository: gitlabRepository(),
  };
}

function gitlabTagPush(): Json {
  return {
    object_kind: 'tag_push',
    event_name: 'tag_push',
    before: ZERO_SHA,
    after: GL.commits.tagObject,
    ref: 'refs/tags/v1.0.0',
    ref_protected: true,
    checkout_sha: GL.commits.c[2],
    message: 'Hookyard 1.0',
    user_id: GL.ada,
    user_name: 'Ada Lovelace',
    user_username: `ada-${run}`,
    user_email: ADA_EMAIL,
    user_avatar: 'https://gitlab.example.test/uploads/ada.png',
    project_id: GL.projectId,
    project: gitlabProject(),
    commits: [],
    total_commits_count: 0,
    push_options: {},
    repository: gitlabRepository(),
  };
}

function gitlabMergeRequest(
  action: string,
  state: string,
  updatedMinute: number,
  actor: 'ada' | 'bob',
  headIndex: number,
  attributes: Json = {},
  changes: Json = {},
): Json {
  const head = GL.commits.c[headIndex];
  return {
    object_kind: 'merge_request',
    event_type: 'merge_request',
    user: gitlabUser(actor),
    project: gitlabProject(),
    repository: gitlabRepository(),
    object_attributes: {
      id: GL.mrId,
      iid: GL.mrIid,
      target_branch: 'main',
      source_branch: 'feature/parser',
      source_project_id: GL.projectId,
      target_project_id: GL.projectId,
      author_id: GL.ada,
      assignee_ids: [],
      reviewer_ids: [GL.bob],
      title: 'Parse forge payloads',
      description: 'Adds the GitLab parser.',
      state,
      action,
      draft: false,
      work_in_progress: false,
      created_at: gitlabAt(5),
      updated_at: gitlabAt(updatedMinute),
      merge_status: 'can_be_merged',
      url: `${GL.web}/-/merge_requests/${GL.mrIid}`,
      last_commit: {
        id: head,
        message: `Change ${headIndex}`,
        title: `Change ${headIndex}`,
        timestamp: offsetAt(headIndex + 1),
        url: `${GL.web}/-/commit/${head}`,
        author: AUTHORS[headIndex],
      },
      ...attributes,
    },
    labels: [{ id: 11, title: 'backend', color: '#428BCA', type: 'ProjectLabel' }],
    changes,
    reviewers: [gitlabUser('bob')],
  };
}

function gitlabNote(id: number, target: 'mr' | 'issue', minute: number): Json {
  const onMr = target === 'mr';
  return {
    object_kind: 'note',
    event_type: 'note',
    user: gitlabUser('bob'),
    project_id: GL.projectId,
    project: gitlabProject(),
    repository: gitlabRepository(),
    object_attributes: {
      id,
      note: onMr ? 'Please add a test for tag pushes.' : 'I can reproduce this on main.',
      noteable_type: onMr ? 'MergeRequest' : 'Issue',
      author_id: GL.bob,
      created_at: gitlabAt(minute),
      updated_at: gitlabAt(minute),
      project_id: GL.projectId,
      attachment: null,
      line_code: null,
      commit_id: '',
      noteable_id: onMr ? GL.mrId : GL.issueId,
      system: false,
      st_diff: null,
      action: 'create',
      url: onMr
        ? `${GL.web}/-/merge_requests/${GL.mrIid}#note_${id}`
        : `${GL.web}/-/issues/${GL.issueIid}#note_${id}`,
    },
    ...(onMr
      ? {
          merge_request: {
            id: GL.mrId,
            iid: GL.mrIid,
            title: 'Parse forge payloads',
            state: 'opened',
            source_branch: 'feature/parser',
            target_branch: 'main',
          },
        }
      : {
          issue: {
            id: GL.issueId,
            iid: GL.issueIid,
            title: 'Pipeline hooks are not parsed',
            state: 'opened',
          },
        }),
  };
}

function gitlabIssue(action: string, state: string, updatedMinute: number): Json {
  return {
    object_kind: 'issue',
    event_type: 'issue',
    user: gitlabUser(action === 'open' ? 'ada' : 'bob'),
    project: gitlabProject(),
    repository: gitlabRepository(),
    object_attributes: {
      id: GL.issueId,
      iid: GL.issueIid,
      title: 'Pipeline hooks are not parsed',
      description: 'Pipeline deliveries end up ignored.',
      state,
      action,
      author_id: GL.ada,
      confidential: false,
      created_at: gitlabAt(6),
      updated_at: gitlabAt(updatedMinute),
      closed_at: state === 'closed' ? gitlabAt(updatedMinute) : null,
      url: `${GL.web}/-/issues/${GL.issueIid}`,
    },
    labels: [{ id: 12, title: 'bug', color: '#FF0000', type: 'ProjectLabel' }],
    changes: {},
  };
}

function gitlabBuild(
  id: number,
  name: string,
  status: string,
  started?: number,
  finished?: number,
): Json {
  return {
    id,
    stage: 'test',
    name,
    status,
    created_at: gitlabAt(21),
    started_at: started === undefined ? null : gitlabAt(started),
    finished_at: finished === undefined ? null : gitlabAt(finished),
    when: name === 'deploy-preview' ? 'manual' : 'on_success',
    manual: name === 'deploy-preview',
    allow_failure: status === 'failed',
    user: gitlabUser('ada'),
    runner: null,
    artifacts_file: { filename: null, size: null },
    environment: null,
  };
}

function gitlabPipeline(): Json {
  const head = GL.commits.c[2];
  return {
    object_kind: 'pipeline',
    object_attributes: {
      id: GL.pipelineId,
      iid: 12,
      name: 'Build and test',
      ref: 'main',
      tag: false,
      sha: head,
      before_sha: GL.commits.base,
      source: 'push',
      status: 'success',
      detailed_status: 'passed',
      stages: ['test'],
      created_at: gitlabAt(21),
      finished_at: gitlabAt(26),
      duration: 240,
      queued_duration: 3,
      variables: [],
      url: `${GL.web}/-/pipelines/${GL.pipelineId}`,
    },
    merge_request: null,
    user: gitlabUser('ada'),
    project: gitlabProject(),
    commit: {
      id: head,
      message: 'Change 2',
      title: 'Change 2',
      timestamp: offsetAt(3),
      url: `${GL.web}/-/commit/${head}`,
      author: AUTHORS[2],
    },
    builds: [
      gitlabBuild(GL.jobs.failed, 'unit', 'failed', 22, 24),
      gitlabBuild(numericId(), 'lint', 'success', 23, 26),
    ],
  };
}

function gitlabJob(id: number, name: string, status: string, started?: number, finished?: number) {
  const head = GL.commits.c[2];
  return {
    object_kind: 'build',
    ref: 'main',
    tag: false,
    before_sha: GL.commits.base,
    sha: head,
    retries_count: 0,
    build_id: id,
    build_name: name,
    build_stage: 'test',
    build_status: status,
    build_created_at: gitlabAt(21),
    build_started_at: started === undefined ? null : gitlabAt(started),
    build_finished_at: finished === undefined ? null : gitlabAt(finished),
    build_duration:
      started !== undefined && finished !== undefined ? (finished - started) * 60 : null,
    build_queued_duration: 1,
    build_allow_failure: status === 'failed',
    build_failure_reason: status === 'failed' ? 'script_failure' : 'unknown_failure',
    pipeline_id: GL.pipelineId,
    runner: {
      id: 7,
      description: 'shared-runner-1',
      runner_type: 'instance_type',
      active: true,
      is_shared: true,
      tags: ['linux'],
    },
    project_id: GL.projectId,
    project_name: `hookyard-e2e / ${GL.name}`,
    user: gitlabUser('ada'),
    commit: {
      id: GL.pipelineId,
      name: null,
      sha: head,
      message: 'Change 2',
      author_name: AUTHORS[2].name,
      author_email: AUTHORS[2].email,
      status: 'running',
      duration: null,
      started_at: gitlabAt(22),
      finished_at: null,
    },
    repository: gitlabRepository(),
    project: gitlabProject(),
    environment: null,
  };
}

function gitlabDeployment(status: string, minute: number): Json {
  const head = GL.commits.c[2];
  return {
    object_kind: 'deployment',
    status,
    status_changed_at: gitlabOffsetAt(minute),
    deployment_id: GL.deploymentId,
    deployable_id: numericId(),
    deployable_url: `${GL.web}/-/jobs/${GL.jobs.manual}`,
    environment: 'production',
    environment_tier: 'production',
    environment_slug: 'production',
    environment_external_url: 'https://app.hookyard.test',
    project: gitlabProject(),
    short_sha: head.slice(0, 8),
    user: gitlabUser('ada'),
    user_url: `https://gitlab.example.test/ada-${run}`,
    commit_url: `${GL.web}/-/commit/${head}`,
    commit_title: 'Change 2',
    ref: 'main',
  };
}

function gitlabRelease(): Json {
  return {
    id: GL.releaseId,
    created_at: gitlabAt(31),
    description: 'First release.',
    name: 'Hookyard 1.0',
    released_at: gitlabAt(31),
    tag: 'v1.0.0',
    object_kind: 'release',
    project: gitlabProject(),
    url: `${GL.web}/-/releases/v1.0.0`,
    action: 'create',
    assets: { count: 0, links: [], sources: [] },
    commit: { id: GL.commits.c[2], message: 'Change 2', title: 'Change 2' },
  };
}

function gitlabDeliveries(): Delivery[] {
  const d = (name: string, event: string, payload: Json, expected: FinalStatus = 'processed') =>
    ({ forge: 'gitlab', name, event, payload, expected }) satisfies Delivery;
  const { base, c } = GL.commits;
  return [
    d('push-main', 'Push Hook', gitlabPush('refs/heads/main', base, [0, 1, 2])),
    d('push-release', 'Push Hook', gitlabPush('refs/heads/release', c[1], [2, 3])),
    d('tag-push', 'Tag Push Hook', gitlabTagPush()),
    d('mr-open', 'Merge Request Hook', gitlabMergeRequest('open', 'opened', 5, 'ada', 1)),
    d(
      'mr-update',
      'Merge Request Hook',
      gitlabMergeRequest('update', 'opened', 10, 'ada', 2, { oldrev: c[1] }),
    ),
    d('mr-approved', 'Merge Request Hook', gitlabMergeRequest('approved', 'opened', 15, 'bob', 2)),
    d('mr-merge', 'Merge Request Hook', gitlabMergeRequest('merge', 'merged', 20, 'bob', 2)),
    d('note-mr', 'Note Hook', gitlabNote(GL.noteOnMr, 'mr', 12)),
    d('note-issue', 'Note Hook', gitlabNote(GL.noteOnIssue, 'issue', 8)),
    d('issue-open', 'Issue Hook', gitlabIssue('open', 'opened', 6)),
    d('issue-close', 'Issue Hook', gitlabIssue('close', 'closed', 30)),
    d('pipeline', 'Pipeline Hook', gitlabPipeline()),
    d('job-failed', 'Job Hook', gitlabJob(GL.jobs.failed, 'unit', 'failed', 22, 24)),
    d('job-running', 'Job Hook', gitlabJob(GL.jobs.running, 'e2e', 'running', 22)),
    d('job-manual', 'Job Hook', gitlabJob(GL.jobs.manual, 'deploy-preview', 'manual')),
    d('deployment-running', 'Deployment Hook', gitlabDeployment('running', 27)),
    d('deployment-success', 'Deployment Hook', gitlabDeployment('success', 29)),
    d('release', 'Release Hook', gitlabRelease()),
    d(
      'wiki',
      'Wiki Page Hook',
      {
        object_kind: 'wiki_page',
        user: gitlabUser('ada'),
        project: gitlabProject(),
        wiki: { web_url: `${GL.web}/-/wikis/home`, path_with_namespace: `${GL.path}.wiki` },
        object_attributes: { title: 'Home', content: 'Welcome', slug: 'home', action: 'create' },
      },
      'ignored',
    ),
    d(
      'malformed-pr',
      'Merge Request Hook',
      gitlabMergeRequest('open', 'opened', 40, 'ada', 0, { id: numericId(), iid: 'seven' }),
      'dead',
    ),
  ];
}

// ─── Gitea ───────────────────────────────────────────────────────────────────────────────────

const GT = {
  repoId: numericId(),
  ownerId: numericId(),
  name: `gt-${run}`,
  path: `hookyard-e2e/gt-${run}`,
  web: `https://gitea.example.test/hookyard-e2e/gt-${run}`,
  ada: numericId(),
  bob: numericId(),
  commits: commitsOfRun(),
  prId: numericId(),
  prNumber: 5,
  issueId: numericId(),
  issueNumber: 6,
  commentOnPr: numericId(),
  commentOnIssue: numericId(),
  releaseId: numericId(),
};

function giteaUser(who: 'ada' | 'bob'): Json {
  const ada = who === 'ada';
  const login = `${who}-${run}`;
  return {
    id: ada ? GT.ada : GT.bob,
    login,
    login_name: '',
    full_name: ada ? 'Ada Lovelace' : 'Bob Builder',
    email: ada ? ADA_EMAIL : BOB_GITEA_EMAIL,
    avatar_url: `https://gitea.example.test/avatars/${login}`,
    language: 'en-US',
    is_admin: false,
    restricted: false,
    active: true,
    prohibit_login: false,
    visibility: 'public',
    username: login,
  };
}

function giteaRepository(): Json {
  return {
    id: GT.repoId,
    owner: {
      id: GT.ownerId,
      login: 'hookyard-e2e',
      full_name: '',
      email: '',
      username: 'hookyard-e2e',
    },
    name: GT.name,
    full_name: GT.path,
    description: '',
    empty: false,
    private: false,
    fork: false,
    mirror: false,
    html_url: GT.web,
    ssh_url: `git@gitea.example.test:${GT.path}.git`,
    clone_url: `${GT.web}.git`,
    default_branch: 'main',
    archived: false,
    created_at: offsetAt(0),
    updated_at: offsetAt(4),
  };
}

function giteaCommit(index: number): Json {
  const id = GT.commits.c[index];
  const identity = { ...AUTHORS[index], username: '' };
  return {
    id,
    message: `Change ${index}\n`,
    url: `${GT.web}/commit/${id}`,
    author: identity,
    committer: identity,
    verification: null,
    timestamp: offsetAt(index + 1),
    added: [`src/file-${index}.ts`],
    removed: [],
    modified: [],
  };
}

function giteaPush(ref: string, before: string, indexes: number[]): Json {
  const commits = indexes.map(giteaCommit);
  const head = commits[commits.length - 1];
  return {
    ref,
    before,
    after: GT.commits.c[indexes[indexes.length - 1]],
    compare_url: `${GT.web}/compare/${before}...${GT.commits.c[indexes[indexes.length - 1]]}`,
    commits,
    total_commits: commits.length,
    head_commit: head,
    repository: giteaRepository(),
    pusher: giteaUser('ada'),
    sender: giteaUser('ada'),
  };
}

function giteaPullRequest(
  state: 'open' | 'closed',
  updatedMinute: number,
  headIndex: number,
  merged = false,
): Json {
  return {
    id: GT.prId,
    url: `${GT.web}/pulls/${GT.prNumber}`,
    number: GT.prNumber,
    user: giteaUser('ada'),
    title: 'Add the Gitea adapter',
    body: 'Verifies X-Gitea-Signature.',
    labels: [{ id: 21, name: 'feature', color: '00aabb' }],
    milestone: null,
    assignee: null,
    assignees: null,
    requested_reviewers: [giteaUser('bob')],
    state,
    is_locked: false,
    comments: 0,
    html_url: `${GT.web}/pulls/${GT.prNumber}`,
    diff_url: `${GT.web}/pulls/${GT.prNumber}.diff`,
    patch_url: `${GT.web}/pulls/${GT.prNumber}.patch`,
    mergeable: true,
    merged,
    merged_at: merged ? offsetAt(updatedMinute) : null,
    merge_commit_sha: merged ? GT.commits.c[3] : null,
    merged_by: merged ? giteaUser('bob') : null,
    base: { label: 'main', ref: 'main', sha: GT.commits.base, repo_id: GT.repoId },
    head: { label: 'feature', ref: 'feature', sha: GT.commits.c[headIndex], repo_id: GT.repoId },
    merge_base: GT.commits.base,
    due_date: null,
    created_at: offsetAt(5),
    updated_at: offsetAt(updatedMinute),
    closed_at: state === 'closed' ? offsetAt(updatedMinute) : null,
  };
}

function giteaPullRequestEvent(action: string, pullRequest: Json, sender: 'ada' | 'bob'): Json {
  return {
    action,
    number: GT.prNumber,
    pull_request: pullRequest,
    requested_reviewer: null,
    repository: giteaRepository(),
    sender: giteaUser(sender),
    commit_id: '',
    review: null,
  };
}

function giteaIssue(kind: 'issue' | 'pull', state: 'open' | 'closed', updatedMinute: number) {
  const pull = kind === 'pull';
  const number = pull ? GT.prNumber : GT.issueNumber;
  return {
    id: pull ? numericId() : GT.issueId,
    url: `${GT.web}/issues/${number}`,
    html_url: `${GT.web}/${pull ? 'pulls' : 'issues'}/${number}`,
    number,
    user: giteaUser('ada'),
    original_author: '',
    original_author_id: 0,
    title: pull ? 'Add the Gitea adapter' : 'Releases are missing',
    body: pull ? 'Verifies X-Gitea-Signature.' : 'Release events are not recorded.',
    ref: '',
    labels: [{ id: 22, name: 'bug', color: 'ee0701' }],
    milestone: null,
    assignee: null,
    assignees: null,
    state,
    is_locked: false,
    comments: 1,
    created_at: offsetAt(6),
    updated_at: offsetAt(updatedMinute),
    closed_at: state === 'closed' ? offsetAt(updatedMinute) : null,
    due_date: null,
    pull_request: pull ? { merged: false, merged_at: null } : null,
    repository: { id: GT.repoId, name: GT.name, owner: 'hookyard-e2e', full_name: GT.path },
  };
}

function giteaIssueEvent(action: string, state: 'open' | 'closed', updatedMinute: number): Json {
  return {
    action,
    number: GT.issueNumber,
    issue: giteaIssue('issue', state, updatedMinute),
    repository: giteaRepository(),
    sender: giteaUser(action === 'opened' ? 'ada' : 'bob'),
    commit_id: '',
  };
}

function giteaComment(id: number, on: 'issue' | 'pull', minute: number): Json {
  const pull = on === 'pull';
  const number = pull ? GT.prNumber : GT.issueNumber;
  return {
    action: 'created',
    issue: giteaIssue(on, 'open', minute),
    pull_request: null,
    comment: {
      id,
      html_url: `${GT.web}/${pull ? 'pulls' : 'issues'}/${number}#issuecomment-${id}`,
      pull_request_url: pull ? `${GT.web}/pulls/${number}` : '',
      issue_url: pull ? '' : `${GT.web}/issues/${number}`,
      user: giteaUser('bob'),
      original_author: '',
      original_author_id: 0,
      body: pull ? 'Can the signature check be constant time?' : 'Same here.',
      assets: [],
      created_at: offsetAt(minute),
      updated_at: offsetAt(minute),
    },
    repository: giteaRepository(),
    sender: giteaUser('bob'),
    is_pull: pull,
  };
}

function giteaRelease(): Json {
  return {
    action: 'published',
    release: {
      id: GT.releaseId,
      tag_name: 'v0.1.0',
      target_commitish: 'main',
      name: 'First preview',
      body: 'Preview release.',
      url: `https://gitea.example.test/api/v1/repos/${GT.path}/releases/${GT.releaseId}`,
      html_url: `${GT.web}/releases/tag/v0.1.0`,
      tarball_url: `${GT.web}/archive/v0.1.0.tar.gz`,
      zipball_url: `${GT.web}/archive/v0.1.0.zip`,
      draft: false,
      prerelease: true,
      created_at: offsetAt(31),
      published_at: offsetAt(32),
      author: giteaUser('ada'),
      assets: [],
    },
    repository: giteaRepository(),
    sender: giteaUser('ada'),
  };
}

function giteaDeliveries(): Delivery[] {
  const d = (
    name: string,
    event: string,
    eventType: string,
    payload: Json,
    expected: FinalStatus = 'processed',
  ) => ({ forge: 'gitea', name, event, eventType, payload, expected }) satisfies Delivery;
  const { base, c } = GT.commits;
  const { head: _head, ...withoutHead } = giteaPullRequest('open', 40, 0);
  return [
    d('push-main', 'push', 'push', giteaPush('refs/heads/main', base, [0, 1, 2])),
    d('push-dev', 'push', 'push', giteaPush('refs/heads/dev', c[1], [2, 3])),
    d('tag-push', 'push', 'push', {
      ...giteaPush('refs/tags/v0.1.0', ZERO_SHA, [2]),
      after: GT.commits.tagObject,
      commits: [],
      total_commits: 0,
      head_commit: null,
    }),
    d(
      'pr-opened',
      'pull_request',
      'pull_request',
      giteaPullRequestEvent('opened', giteaPullRequest('open', 5, 1), 'ada'),
    ),
    d(
      'pr-synchronized',
      'pull_request',
      'pull_request_sync',
      giteaPullRequestEvent('synchronized', giteaPullRequest('open', 10, 2), 'ada'),
    ),
    d('pr-approved', 'pull_request_approved', 'pull_request_review_approved', {
      ...giteaPullRequestEvent('reviewed', giteaPullRequest('open', 15, 2), 'bob'),
      review: { type: 'pull_request_review_approved', content: 'Looks right to me.' },
    }),
    d(
      'pr-merged',
      'pull_request',
      'pull_request',
      giteaPullRequestEvent('closed', giteaPullRequest('closed', 20, 2, true), 'bob'),
    ),
    d(
      'comment-pr',
      'issue_comment',
      'pull_request_comment',
      giteaComment(GT.commentOnPr, 'pull', 12),
    ),
    d(
      'comment-issue',
      'issue_comment',
      'issue_comment',
      giteaComment(GT.commentOnIssue, 'issue', 8),
    ),
    d('issue-opened', 'issues', 'issues', giteaIssueEvent('opened', 'open', 6)),
    d('issue-closed', 'issues', 'issues', giteaIssueEvent('closed', 'closed', 30)),
    d('release', 'release', 'release', giteaRelease()),
    d(
      'create',
      'create',
      'create',
      {
        sha: c[2],
        ref: 'v0.1.0',
        ref_type: 'tag',
        repository: giteaRepository(),
        sender: giteaUser('ada'),
      },
      'ignored',
    ),
    d(
      'malformed-pr',
      'pull_request',
      'pull_request',
      giteaPullRequestEvent('opened', { ...withoutHead, id: numericId(), number: 55 }, 'ada'),
      'dead',
    ),
  ];
}

// ─── Bitbucket Cloud ─────────────────────────────────────────────────────────────────────────

const BB = {
  repoUuid: braced(),
  name: `bb-${run}`,
  path: `hookyard-e2e/bb-${run}`,
  web: `https://bitbucket.org/hookyard-e2e/bb-${run}`,
  ada: braced(),
  bob: braced(),
  commits: commitsOfRun(),
  prId: 9,
  issueId: 4,
  commentOnPr: numericId(),
  commentOnIssue: numericId(),
};

function bitbucketRepository(): Json {
  return {
    type: 'repository',
    full_name: BB.path,
    name: BB.name,
    uuid: BB.repoUuid,
    is_private: true,
    scm: 'git',
    website: null,
    mainbranch: { type: 'branch', name: 'main' },
    links: { html: { href: BB.web } },
    owner: { type: 'team', uuid: braced(), display_name: 'Hookyard e2e', username: 'hookyard-e2e' },
  };
}

function bitbucketUser(who: 'ada' | 'bob'): Json {
  const ada = who === 'ada';
  return {
    type: 'user',
    uuid: ada ? BB.ada : BB.bob,
    account_id: `557058:${ada ? BB.ada.slice(1, 9) : BB.bob.slice(1, 9)}`,
    nickname: `${who}-${run}`,
    display_name: ada ? 'Ada Lovelace' : 'Bob Builder',
    links: {
      avatar: { href: `https://avatar.example.test/${who}.png` },
      html: { href: `https://bitbucket.org/${who}-${run}` },
    },
  };
}

function bitbucketCommit(index: number): Json {
  const hash = BB.commits.c[index];
  const author = AUTHORS[index];
  return {
    type: 'commit',
    hash,
    message: `Change ${index}\n`,
    date: at(index + 1),
    author: { type: 'author', raw: `${author.name} <${author.email}>` },
    links: { html: { href: `${BB.web}/commits/${hash}` } },
    parents: [],
  };
}

function bitbucketRef(type: string, name: string, hash: string, minute: number): Json {
  return {
    type,
    name,
    target: { type: 'commit', hash, date: at(minute), message: 'head' },
    links: { html: { href: `${BB.web}/branch/${name}` } },
  };
}

function bitbucketPush(change: Json): Json {
  return {
    actor: bitbucketUser('ada'),
    repository: bitbucketRepository(),
    push: { changes: [change] },
  };
}

function bitbucketPullRequest(state: string, updatedMinute: number, extra: Json = {}): Json {
  const summary = { type: 'repository', full_name: BB.path, name: BB.name, uuid: BB.repoUuid };
  return {
    type: 'pullrequest',
    id: BB.prId,
    title: 'Add the Bitbucket adapter',
    description: 'Verifies X-Hub-Signature.',
    state,
    author: bitbucketUser('ada'),
    source: {
      branch: { name: 'feature' },
      commit: { type: 'commit', hash: BB.commits.c[3].slice(0, 12) },
      repository: summary,
    },
    destination: {
      branch: { name: 'main' },
      commit: { type: 'commit', hash: BB.commits.base.slice(0, 12) },
      repository: summary,
    },
    merge_commit: null,
    comment_count: 0,
    task_count: 0,
    close_source_branch: true,
    closed_by: null,
    reason: '',
    created_on: at(5),
    updated_on: at(updatedMinute),
    reviewers: [bitbucketUser('bob')],
    participants: [],
    links: { html: { href: `${BB.web}/pull-requests/${BB.prId}` } },
    ...extra,
  };
}

function bitbucketIssue(state: string, updatedMinute: number): Json {
  return {
    type: 'issue',
    id: BB.issueId,
    repository: { type: 'repository', full_name: BB.path, name: BB.name, uuid: BB.repoUuid },
    title: 'Commit statuses are not recorded',
    reporter: bitbucketUser('ada'),
    assignee: null,
    created_on: at(6),
    updated_on: at(updatedMinute),
    edited_on: null,
    state,
    kind: 'bug',
    priority: 'major',
    milestone: null,
    version: null,
    component: null,
    votes: 0,
    content: { type: 'rendered', raw: 'They are ignored.', markup: 'markdown', html: '' },
    links: { html: { href: `${BB.web}/issues/${BB.issueId}` } },
  };
}

function bitbucketStatus(
  key: string,
  state: string,
  createdMinute: number,
  updatedMinute: number,
  withCommitObject: boolean,
): Json {
  const head = BB.commits.c[2];
  return {
    actor: bitbucketUser('ada'),
    repository: bitbucketRepository(),
    commit_status: {
      type: 'build',
      key,
      name: key === 'unit-tests' ? 'Unit tests' : 'Lint',
      state,
      description: `${key} ${state.toLowerCase()}`,
      url: `https://ci.example.test/${key}/${createdMinute}`,
      refname: 'main',
      created_on: at(createdMinute),
      updated_on: at(updatedMinute),
      links: {
        commit: { href: `https://api.bitbucket.org/2.0/repositories/${BB.path}/commit/${head}` },
      },
      ...(withCommitObject ? { commit: { type: 'commit', hash: head } } : {}),
    },
  };
}

function bitbucketDeliveries(): Delivery[] {
  const d = (name: string, event: string, payload: Json, expected: FinalStatus = 'processed') =>
    ({ forge: 'bitbucket', name, event, payload, expected }) satisfies Delivery;
  const { base, c } = BB.commits;
  const pr = (state: string, minute: number, extra: Json = {}) => ({
    actor: bitbucketUser(state === 'MERGED' ? 'bob' : 'ada'),
    pullrequest: bitbucketPullRequest(state, minute, extra),
    repository: bitbucketRepository(),
  });
  return [
    d(
      'push-main',
      'repo:push',
      bitbucketPush({
        new: bitbucketRef('branch', 'main', c[2], 3),
        old: bitbucketRef('branch', 'main', base, 0),
        created: false,
        closed: false,
        forced: false,
        truncated: false,
        // Bitbucket lists the newest commit first.
        commits: [2, 1, 0].map(bitbucketCommit),
      }),
    ),
    d(
      'push-feature',
      'repo:push',
      bitbucketPush({
        new: bitbucketRef('branch', 'feature', c[3], 4),
        old: null,
        created: true,
        closed: false,
        forced: false,
        truncated: false,
        commits: [3, 2].map(bitbucketCommit),
      }),
    ),
    d(
      'tag-push',
      'repo:push',
      bitbucketPush({
        new: bitbucketRef('tag', 'v2.0.0', c[2], 3),
        old: null,
        created: true,
        closed: false,
        forced: false,
        truncated: false,
        commits: [],
      }),
    ),
    d('pr-created', 'pullrequest:created', pr('OPEN', 5)),
    d('pr-updated', 'pullrequest:updated', pr('OPEN', 10)),
    d('pr-approved', 'pullrequest:approved', {
      ...pr('OPEN', 15),
      actor: bitbucketUser('bob'),
      approval: { date: at(15), user: bitbucketUser('bob') },
    }),
    d(
      'pr-fulfilled',
      'pullrequest:fulfilled',
      pr('MERGED', 20, {
        closed_by: bitbucketUser('bob'),
        merge_commit: { type: 'commit', hash: sha().slice(0, 12) },
      }),
    ),
    d('comment-pr', 'pullrequest:comment_created', {
      ...pr('OPEN', 12),
      actor: bitbucketUser('bob'),
      comment: {
        type: 'pullrequest_comment',
        id: BB.commentOnPr,
        content: { type: 'rendered', raw: 'Nit: name this better.', markup: 'markdown', html: '' },
        created_on: at(12),
        updated_on: at(12),
        user: bitbucketUser('bob'),
        deleted: false,
        inline: { path: 'src/bitbucket.ts', from: null, to: 42 },
        links: { html: { href: `${BB.web}/pull-requests/${BB.prId}#comment-${BB.commentOnPr}` } },
      },
    }),
    d('comment-issue', 'issue:comment_created', {
      actor: bitbucketUser('bob'),
      repository: bitbucketRepository(),
      issue: bitbucketIssue('new', 8),
      comment: {
        type: 'issue_comment',
        id: BB.commentOnIssue,
        content: { type: 'rendered', raw: 'Confirmed.', markup: 'markdown', html: '' },
        created_on: at(8),
        updated_on: null,
        user: bitbucketUser('bob'),
        links: { html: { href: `${BB.web}/issues/${BB.issueId}#comment-${BB.commentOnIssue}` } },
      },
    }),
    d('issue-created', 'issue:created', {
      actor: bitbucketUser('ada'),
      repository: bitbucketRepository(),
      issue: bitbucketIssue('new', 6),
    }),
    d('issue-updated', 'issue:updated', {
      actor: bitbucketUser('bob'),
      repository: bitbucketRepository(),
      issue: bitbucketIssue('resolved', 30),
      changes: { state: { old: 'new', new: 'resolved' } },
    }),
    d(
      'status-created',
      'repo:commit_status_created',
      bitbucketStatus('unit-tests', 'INPROGRESS', 21, 21, true),
    ),
    d(
      'status-updated',
      'repo:commit_status_updated',
      bitbucketStatus('unit-tests', 'SUCCESSFUL', 21, 25, true),
    ),
    // Older payloads name the commit only by its link.
    d(
      'status-stopped',
      'repo:commit_status_updated',
      bitbucketStatus('lint', 'STOPPED', 21, 23, false),
    ),
    d(
      'fork',
      'repo:fork',
      {
        actor: bitbucketUser('bob'),
        repository: bitbucketRepository(),
        fork: {
          type: 'repository',
          full_name: `bob-${run}/${BB.name}`,
          name: BB.name,
          uuid: braced(),
        },
      },
      'ignored',
    ),
    d('malformed-pr', 'pullrequest:created', pr('OPEN', 40, { id: 'nine' }), 'dead'),
  ];
}

// ─── Sending ─────────────────────────────────────────────────────────────────────────────────

function headersOf(delivery: Delivery, body: string): Record<string, string> {
  const json = { 'content-type': 'application/json' };
  switch (delivery.forge) {
    case 'gitlab':
      return {
        ...json,
        'user-agent': 'GitLab/18.4.0',
        'x-gitlab-event': delivery.event,
        'x-gitlab-event-uuid': randomUUID(),
        'x-gitlab-instance': 'https://gitlab.example.test',
        'x-gitlab-token': GITLAB_TOKEN,
      };
    case 'gitea':
      return {
        ...json,
        'user-agent': 'Go-http-client/1.1',
        'x-gitea-delivery': randomUUID(),
        'x-gitea-event': delivery.event,
        'x-gitea-event-type': delivery.eventType ?? delivery.event,
        'x-gitea-signature': hmacHex(GITEA_SECRET, body),
      };
    case 'bitbucket':
      return {
        ...json,
        'user-agent': 'Bitbucket-Webhooks/2.0',
        'x-attempt-number': '1',
        'x-event-key': delivery.event,
        'x-hub-signature': `sha256=${hmacHex(BITBUCKET_SECRET, body)}`,
        'x-request-uuid': randomUUID(),
      };
  }
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
