import {
  CI_STATUSES,
  closedAt,
  incomingIsAsNew,
  incomingIsNewer,
  PULL_REQUEST_STATES,
  takeIfNewer,
} from './newest-wins';

describe('newest-wins SQL', () => {
  it('ranks pull request states open < closed < merged on a tie in forge time', () => {
    expect(incomingIsNewer('pull_requests', PULL_REQUEST_STATES)).toBe(
      '(excluded.updated_at > pull_requests.updated_at OR (excluded.updated_at = pull_requests.updated_at AND ' +
        "CASE excluded.state WHEN 'merged' THEN 2 WHEN 'closed' THEN 1 ELSE 0 END > " +
        "CASE pull_requests.state WHEN 'merged' THEN 2 WHEN 'closed' THEN 1 ELSE 0 END))",
    );
  });

  it('ranks CI statuses queued < in_progress < completed', () => {
    expect(incomingIsNewer('ci_runs', CI_STATUSES)).toContain(
      "CASE excluded.status WHEN 'completed' THEN 2 WHEN 'in_progress' THEN 1 ELSE 0 END > " +
        "CASE ci_runs.status WHEN 'completed' THEN 2 WHEN 'in_progress' THEN 1 ELSE 0 END",
    );
  });

  it('takes each column from the incoming row only when it is newer', () => {
    expect(takeIfNewer('releases', incomingIsAsNew('releases'), ['name', 'url'])).toBe(
      'name = CASE WHEN excluded.updated_at >= releases.updated_at THEN excluded.name ELSE releases.name END,\n' +
        'url = CASE WHEN excluded.updated_at >= releases.updated_at THEN excluded.url ELSE releases.url END',
    );
  });

  it('keeps a stored closing time when a newer closed snapshot has none', () => {
    const sql = closedAt('issues', 'NEWER');
    expect(sql).toContain('WHEN NOT NEWER THEN issues.closed_at');
    expect(sql).toContain("WHEN excluded.state = 'open' THEN NULL");
    expect(sql).toContain('ELSE coalesce(excluded.closed_at, issues.closed_at) END');
  });
});
