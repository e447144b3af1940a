/**
 * GitHub REST objects as the fake forge answers them: every field GitHub's OpenAPI description
 * marks required (checked by test/fake-forge-openapi.e2e-spec.ts), with plausible values.
 */
export const FAKE_TIME = '2026-01-01T00:00:00Z';

export function githubUser(login: string, id: number, base: string): Record<string, unknown> {
  const api = `${base}/api/v3/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `${base}/avatars/${id}`,
    gravatar_id: '',
    url: api,
    html_url: `${base}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

/** The authenticated user (GET /user), a public-user. */
export function githubAuthenticatedUser(
  login: string,
  id: number,
  base: string,
): Record<string, unknown> {
  return {
    ...githubUser(login, id, base),
    name: null,
    company: null,
    blog: null,
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
  };
}

export interface StoredComment {
  id: number;
  body: string;
  login: string;
  createdAt: string;
  updatedAt: string;
}

export function githubComment(
  c: StoredComment,
  repo: string,
  pr: number,
  base: string,
): Record<string, unknown> {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/api/v3/repos/${repo}/issues/comments/${c.id}`,
    html_url: `${base}/${repo}/pull/${pr}#issuecomment-${c.id}`,
    issue_url: `${base}/api/v3/repos/${repo}/issues/${pr}`,
    body: c.body,
    user: githubUser(c.login, 1000 + c.login.length, base),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'NONE',
  };
}

export interface StoredStatus {
  id: number;
  forge: string;
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  targetUrl: string | null;
}

export function githubStatus(s: StoredStatus, base: string): Record<string, unknown> {
  return {
    id: s.id,
    node_id: `SC_${s.id}`,
    url: `${base}/api/v3/repos/${s.repo}/statuses/${s.sha}`,
    avatar_url: null,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
    creator: githubUser('hookyard-bot', 77, base),
  };
}

export function githubPull(repo: string, number: number, base: string): Record<string, unknown> {
  const api = `${base}/api/v3/repos/${repo}`;
  const [owner = 'o', name = 'r'] = repo.split('/');
  const user = githubUser(owner, 5, base);
  const repository = {
    id: 1,
    node_id: 'R_1',
    name,
    full_name: repo,
    owner: user,
    private: false,
    html_url: `${base}/${repo}`,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    hooks_url: `${api}/hooks`,
    clone_url: `${base}/${repo}.git`,
    default_branch: 'main',
    forks: 0,
    forks_count: 0,
    git_url: `${base.replace(/^http/, 'git')}/${repo}.git`,
    has_downloads: true,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    homepage: null,
    language: 'TypeScript',
    archived: false,
    disabled: false,
    mirror_url: null,
    open_issues: 0,
    open_issues_count: 0,
    license: null,
    pushed_at: FAKE_TIME,
    size: 1,
    ssh_url: `git@127.0.0.1:${repo}.git`,
    stargazers_count: 0,
    svn_url: `${base}/${repo}`,
    watchers: 0,
    watchers_count: 0,
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
  };
  const ref = (label: string) => ({
    label: `${owner}:${label}`,
    ref: label,
    repo: repository,
    sha: 'a'.repeat(40),
    user,
  });
  const link = (href: string) => ({ href });
  return {
    url: `${api}/pulls/${number}`,
    id: number,
    node_id: `PR_${number}`,
    html_url: `${base}/${repo}/pull/${number}`,
    diff_url: `${base}/${repo}/pull/${number}.diff`,
    patch_url: `${base}/${repo}/pull/${number}.patch`,
    issue_url: `${api}/issues/${number}`,
    commits_url: `${api}/pulls/${number}/commits`,
    review_comments_url: `${api}/pulls/${number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${number}/comments`,
    statuses_url: `${api}/statuses/${'a'.repeat(40)}`,
    number,
    state: 'open',
    locked: false,
    title: `PR ${number}`,
    user,
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: ref('feature'),
    base: ref('main'),
    _links: {
      comments: link(`${api}/issues/${number}/comments`),
      commits: link(`${api}/pulls/${number}/commits`),
      statuses: link(`${api}/statuses/${'a'.repeat(40)}`),
      html: link(`${base}/${repo}/pull/${number}`),
      issue: link(`${api}/issues/${number}`),
      review_comments: link(`${api}/pulls/${number}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      self: link(`${api}/pulls/${number}`),
    },
    author_association: 'OWNER',
    auto_merge: null,
    draft: false,
  };
}

/** A CI job of a run, as the fake serves it to both forges' job listings. */
export interface StoredRunJob {
  id: number;
  runId: number;
  name: string;
  sha: string;
  branch: string;
  conclusion: 'success' | 'failure' | 'cancelled';
  /** GitLab only: the job may fail without failing its pipeline. */
  allowFailure?: boolean;
}

/** A workflow job (GET /repos/{o}/{r}/actions/runs/{run_id}/jobs → jobs[]). */
export function githubJob(job: StoredRunJob, repo: string, base: string): Record<string, unknown> {
  const api = `${base}/api/v3/repos/${repo}`;
  return {
    id: job.id,
    node_id: `CR_${job.id}`,
    run_id: job.runId,
    run_url: `${api}/actions/runs/${job.runId}`,
    run_attempt: 1,
    head_sha: job.sha,
    workflow_name: 'CI',
    head_branch: job.branch,
    name: job.name,
    url: `${api}/actions/jobs/${job.id}`,
    html_url: `${base}/${repo}/actions/runs/${job.runId}/job/${job.id}`,
    status: 'completed',
    conclusion: job.conclusion,
    created_at: FAKE_TIME,
    started_at: FAKE_TIME,
    completed_at: FAKE_TIME,
    check_run_url: `${api}/check-runs/${job.id}`,
    labels: ['ubuntu-latest'],
    runner_id: 1,
    runner_name: 'GitHub Actions 1',
    runner_group_id: 1,
    runner_group_name: 'GitHub Actions',
    steps: [],
  };
}
