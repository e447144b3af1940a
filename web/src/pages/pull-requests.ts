import { get } from '../api';
import { chart } from '../charts';
import type { Page, PageContext } from '../context';
import { h, loadInto, table } from '../dom';
import { dateTime, day, daysAgo, duration, number } from '../format';
import type { OpenPullRequest, Paged, PullRequestFlow, PullRequestPhases } from '../types';

const PHASES = [
  ['codingTime', 'Coding', 'codingSeconds'],
  ['pickupTime', 'Pickup', 'pickupSeconds'],
  ['reviewTime', 'Review', 'reviewSeconds'],
  ['deployTime', 'Deploy', 'deploySeconds'],
] as const;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Monday (UTC) of the week of `iso`. */
function weekOf(iso: string): string {
  const date = new Date(iso);
  date.setUTCHours(0, 0, 0, 0);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return day(date.toISOString());
}

function render(root: HTMLElement, _context: PageContext): void {
  const window = { from: daysAgo(90), to: new Date(Date.now() + 60_000).toISOString() };
  const summary = h('section', { class: 'region', 'aria-label': 'Phase medians' });
  const phases = h('section', { class: 'region', 'aria-label': 'Phases over time' });
  const open = h('section', { class: 'region', 'aria-label': 'Oldest open pull requests' });
  root.append(
    h('h1', {}, 'Pull requests'),
    h('p', { class: 'muted' }, 'Pull requests merged in the last 90 days.'),
    summary,
    phases,
    open,
  );

  void loadInto(summary, 'pull-request flow', async () => {
    const flow = await get<PullRequestFlow>('/api/v1/metrics/pull-requests', window);
    return [
      h(
        'div',
        { class: 'tiles' },
        h(
          'article',
          { class: 'tile', 'data-measure': 'pullRequests' },
          h('h2', {}, 'Merged'),
          h('p', { class: 'figure' }, String(flow.pullRequests)),
        ),
        [...PHASES, ['cycleTime', 'Cycle', 'cycleSeconds'] as const].map(([key, title]) =>
          h(
            'article',
            { class: 'tile', 'data-measure': key },
            h('h2', {}, `${title} time`),
            h('p', { class: 'figure' }, duration(flow[key].medianSeconds)),
            h(
              'p',
              { class: 'muted' },
              `median · p90 ${duration(flow[key].p90Seconds)} · ${flow[key].pullRequests} PRs`,
            ),
          ),
        ),
        h(
          'article',
          { class: 'tile' },
          h('h2', {}, 'Reviews per PR'),
          h('p', { class: 'figure' }, number(flow.reviewsPerPullRequest.mean, 1)),
          h('p', { class: 'muted' }, 'mean'),
        ),
      ),
      h('h2', {}, 'Review load per reviewer'),
      flow.reviewTurnaround.length === 0
        ? h('p', {}, 'No review in the window.')
        : table(
            ['Reviewer', 'Reviews', 'Median turnaround'],
            flow.reviewTurnaround.map((r) => [
              r.login ?? r.identityId,
              String(r.reviews),
              duration(r.medianSeconds),
            ]),
          ),
    ];
  });

  void loadInto(phases, 'merged pull requests', async () => {
    const page = await get<Paged<PullRequestPhases>>('/api/v1/metrics/pull-requests/items', {
      ...window,
      limit: 200,
    });
    const weeks = [...new Set(page.items.map((p) => weekOf(p.mergedAt)))].sort();
    const slowest = [...page.items]
      .sort((a, b) => (b.cycleSeconds ?? 0) - (a.cycleSeconds ?? 0))
      .slice(0, 10);
    return [
      weeks.length === 0
        ? h('p', {}, 'No merged pull request in the window.')
        : chart({
            type: 'bar',
            stacked: true,
            title: 'Median phase time per week of merge (hours)',
            labels: weeks,
            unit: 'h',
            series: PHASES.map(([, title, field]) => ({
              label: title,
              data: weeks.map((w) => {
                const values = page.items
                  .filter((p) => weekOf(p.mergedAt) === w)
                  .map((p) => p[field])
                  .filter((v): v is number => v !== null);
                const m = median(values);
                return m === null ? null : Math.round((m / 3600) * 100) / 100;
              }),
            })),
          }),
      h('h2', {}, 'Slowest recently merged'),
      table(
        ['Pull request', 'Merged', 'Coding', 'Pickup', 'Review', 'Deploy', 'Cycle'],
        slowest.map((p) => [
          `${p.repositoryFullName}#${p.number} ${p.title}`,
          dateTime(p.mergedAt),
          duration(p.codingSeconds),
          duration(p.pickupSeconds),
          duration(p.reviewSeconds),
          duration(p.deploySeconds),
          duration(p.cycleSeconds),
        ]),
      ),
    ];
  });

  void loadInto(open, 'open pull requests', async () => {
    const page = await get<Paged<OpenPullRequest>>('/api/v1/pull-requests', {
      state: 'open',
      limit: 200,
    });
    const oldest = [...page.items]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, 10);
    return [
      h('h2', {}, 'Waiting longest (open)'),
      oldest.length === 0
        ? h('p', {}, 'No open pull request.')
        : table(
            ['Pull request', 'Author', 'Opened', 'Waiting'],
            oldest.map((p) => [
              p.url
                ? h(
                    'a',
                    { href: p.url, rel: 'noreferrer noopener', target: '_blank' },
                    `${p.repositoryFullName}#${p.number} ${p.title}`,
                  )
                : `${p.repositoryFullName}#${p.number} ${p.title}`,
              p.author?.login ?? '—',
              dateTime(p.createdAt),
              duration((Date.now() - new Date(p.createdAt).getTime()) / 1000),
            ]),
          ),
    ];
  });
}

export const pullRequestsPage: Page = { path: '/ui/pull-requests', title: 'Pull requests', render };
