import { get } from '../api';
import { chart } from '../charts';
import type { Page, PageContext } from '../context';
import { field, formValues, h, loadInto, select, table } from '../dom';
import { dateTime, day, daysAgo, duration, number, percent } from '../format';
import type { DoraFigures, DoraSeries, DoraView, MetricDeploymentPage } from '../types';

interface Scope {
  repository: string[];
  team?: string;
  environment?: string;
  from: string;
  to: string;
  interval: string;
}

interface Measure {
  key: string;
  title: string;
  value: (f: DoraFigures) => number | null;
  show: (f: DoraFigures) => string;
  level: (f: DoraFigures) => string | null;
  /** Whether a higher figure is better (for the trend arrow). */
  higherIsBetter: boolean;
  unit: string;
}

const MEASURES: Measure[] = [
  {
    key: 'deploymentFrequency',
    title: 'Deployment frequency',
    value: (f) => f.deploymentFrequency.perWeek,
    show: (f) =>
      `${number(f.deploymentFrequency.perWeek, 1)} / week (${f.deploymentFrequency.deployments} deployments)`,
    level: (f) => f.levels.deploymentFrequency.level,
    higherIsBetter: true,
    unit: 'per week',
  },
  {
    key: 'leadTimeForChanges',
    title: 'Lead time for changes',
    value: (f) => hours(f.leadTimeForChanges.medianSeconds),
    show: (f) =>
      `${duration(f.leadTimeForChanges.medianSeconds)} median (${f.leadTimeForChanges.changes} changes)`,
    level: (f) => f.levels.leadTimeForChanges.level,
    higherIsBetter: false,
    unit: 'h',
  },
  {
    key: 'changeFailureRate',
    title: 'Change failure rate',
    value: (f) => pct(f.changeFailureRate.ratio),
    show: (f) =>
      `${percent(f.changeFailureRate.ratio)} (${f.changeFailureRate.failedDeployments} of ${f.changeFailureRate.deployments})`,
    level: (f) => f.levels.changeFailureRate.level,
    higherIsBetter: false,
    unit: '%',
  },
  {
    key: 'failedDeploymentRecoveryTime',
    title: 'Failed deployment recovery time',
    value: (f) => hours(f.failedDeploymentRecoveryTime.medianSeconds),
    show: (f) =>
      `${duration(f.failedDeploymentRecoveryTime.medianSeconds)} median (${f.failedDeploymentRecoveryTime.recoveries} recoveries)`,
    level: (f) => f.levels.failedDeploymentRecoveryTime.level,
    higherIsBetter: false,
    unit: 'h',
  },
  {
    key: 'deploymentReworkRate',
    title: 'Deployment rework rate',
    value: (f) => pct(f.deploymentReworkRate.ratio),
    show: (f) =>
      `${percent(f.deploymentReworkRate.ratio)} (${f.deploymentReworkRate.reworkDeployments} of ${f.deploymentReworkRate.deployments})`,
    level: (f) => f.levels.deploymentReworkRate.level,
    higherIsBetter: false,
    unit: '%',
  },
];

function hours(seconds: number | null): number | null {
  return seconds === null ? null : Math.round((seconds / 3600) * 100) / 100;
}

function pct(ratio: number | null): number | null {
  return ratio === null ? null : Math.round(ratio * 1000) / 10;
}

function trend(measure: Measure, now: DoraFigures, before: DoraFigures): HTMLElement {
  const a = measure.value(now);
  const b = measure.value(before);
  if (a === null || b === null)
    return h('span', { class: 'trend' }, 'no trend (previous window has no figure)');
  if (a === b) return h('span', { class: 'trend' }, '→ same as the previous window');
  const better = a > b === measure.higherIsBetter;
  return h(
    'span',
    { class: `trend ${better ? 'good' : 'bad'}` },
    `${a > b ? '↑' : '↓'} from ${number(b, 2)} ${measure.unit} in the previous window`,
  );
}

function scopeQuery(scope: Scope) {
  return {
    repository: scope.repository,
    team: scope.team,
    environment: scope.environment,
    from: scope.from,
    to: scope.to,
  };
}

function readScope(params: URLSearchParams): Scope {
  const days = Number(params.get('days') ?? '30');
  return {
    repository: (params.get('repository') ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    team: params.get('team') ?? undefined,
    environment: params.get('environment') ?? undefined,
    from: daysAgo(Number.isFinite(days) && days > 0 ? days : 30),
    to: new Date(Date.now() + 60_000).toISOString(),
    interval: params.get('interval') ?? 'week',
  };
}

function render(root: HTMLElement, context: PageContext): void {
  const scope = readScope(context.params);
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Scope',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const values = formValues(form);
        context.navigate(`/ui/delivery?${new URLSearchParams(values).toString()}`);
      },
    },
    field(
      'Repositories (comma-separated)',
      h('input', {
        name: 'repository',
        value: context.params.get('repository') ?? '',
        placeholder: 'all',
      }),
    ),
    field(
      'Team id',
      h('input', { name: 'team', value: context.params.get('team') ?? '', placeholder: 'any' }),
    ),
    field(
      'Environment',
      h('input', {
        name: 'environment',
        value: context.params.get('environment') ?? '',
        placeholder: 'production',
      }),
    ),
    field(
      'Window',
      select(
        'days',
        [
          ['7', 'Last 7 days'],
          ['30', 'Last 30 days'],
          ['90', 'Last 90 days'],
          ['365', 'Last year'],
        ],
        context.params.get('days') ?? '30',
      ),
    ),
    field(
      'Interval',
      select(
        'interval',
        [
          ['day', 'Day'],
          ['week', 'Week'],
          ['month', 'Month'],
        ],
        scope.interval,
      ),
    ),
    h('button', { type: 'submit' }, 'Apply'),
  );
  const tiles = h('section', { 'aria-label': 'DORA measures', class: 'region' });
  const charts = h('section', { 'aria-label': 'DORA measures over time', class: 'region' });
  const drill = h('section', {
    'aria-label': 'Deployments behind a point',
    class: 'region',
    'aria-live': 'polite',
  });
  root.append(h('h1', {}, 'Delivery'), form, tiles, charts, drill);

  const span = new Date(scope.to).getTime() - new Date(scope.from).getTime();
  const previous = {
    ...scope,
    from: new Date(new Date(scope.from).getTime() - span).toISOString(),
    to: scope.from,
  };
  void loadInto(tiles, 'DORA measures', async () => {
    const [now, before] = await Promise.all([
      get<DoraView>('/api/v1/metrics/dora', scopeQuery(scope)),
      get<DoraView>('/api/v1/metrics/dora', scopeQuery(previous)),
    ]);
    return h(
      'div',
      { class: 'tiles' },
      MEASURES.map((m) => {
        const level = m.level(now);
        return h(
          'article',
          { class: 'tile', 'data-measure': m.key },
          h('h2', {}, m.title),
          h('p', { class: 'figure' }, m.show(now)),
          h(
            'p',
            { class: `level level-${level ?? 'none'}` },
            level ? `Level: ${level}` : 'Level: not enough data',
          ),
          trend(m, now, before),
          h(
            'details',
            {},
            h('summary', {}, 'Definition'),
            h('p', {}, now.definitions[m.key] ?? ''),
          ),
        );
      }),
      h(
        'p',
        { class: 'muted' },
        `Window ${dateTime(now.window.from)} – ${dateTime(now.window.to)}; levels: ${now.levels.thresholdSet}`,
      ),
    );
  });

  const pick = (series: DoraSeries, index: number) => {
    const bucket = series.series[index];
    if (!bucket) return;
    void loadInto(drill, 'deployments', async () => {
      const page = await get<MetricDeploymentPage>('/api/v1/metrics/dora/deployments', {
        ...scopeQuery(scope),
        from: bucket.window.from,
        to: bucket.window.to,
        limit: 100,
      });
      return [
        h(
          'h2',
          { tabindex: -1, id: 'drill-title' },
          `Deployments ${day(bucket.window.from)} – ${day(bucket.window.to)}`,
        ),
        page.items.length === 0
          ? h('p', {}, 'No production deployment in this interval.')
          : table(
              ['Finished', 'Repository', 'Environment', 'Outcome', 'SHA', 'Changes', 'Recovery'],
              page.items.map((d) => [
                dateTime(d.finishedAt),
                d.repositoryFullName,
                d.environment,
                h(
                  'span',
                  { class: `status status-${d.outcome}` },
                  d.baseline ? `${d.outcome} (baseline)` : d.outcome,
                ),
                h('code', {}, d.sha.slice(0, 10)),
                d.changes.length === 0
                  ? '—'
                  : h(
                      'ul',
                      { class: 'plain' },
                      d.changes.map((c) =>
                        h(
                          'li',
                          {},
                          h('code', {}, c.sha.slice(0, 8)),
                          ` ${duration(c.leadSeconds)}`,
                          c.pullRequestNumber ? ` · #${c.pullRequestNumber}` : '',
                        ),
                      ),
                    ),
                d.recovery ? duration(d.recovery.seconds) : '—',
              ]),
            ),
        page.nextCursor
          ? h('p', { class: 'muted' }, 'More deployments exist: narrow the scope to see them.')
          : null,
      ];
    }).then(() => document.getElementById('drill-title')?.focus());
  };

  void loadInto(charts, 'DORA series', async () => {
    const series = await get<DoraSeries>('/api/v1/metrics/dora/series', {
      ...scopeQuery(scope),
      interval: scope.interval,
    });
    const labels = series.series.map((b) => day(b.window.from));
    return [
      h(
        'div',
        { class: 'charts' },
        MEASURES.map((m) =>
          chart({
            type: m.key === 'deploymentFrequency' ? 'bar' : 'line',
            title: `${m.title} (${m.unit})`,
            labels,
            series: [{ label: m.title, data: series.series.map((b) => m.value(b)) }],
            unit: m.unit,
            onPick: (index) => pick(series, index),
          }),
        ),
      ),
      h(
        'p',
        { class: 'muted' },
        'Click a point, or choose an interval below, to see the deployments and changes behind it.',
      ),
      h(
        'div',
        { class: 'buckets', role: 'group', 'aria-label': 'Intervals' },
        series.series.map((b, index) =>
          h(
            'button',
            { type: 'button', class: 'chip', onclick: () => pick(series, index) },
            `${day(b.window.from)} (${b.deploymentFrequency.deployments})`,
          ),
        ),
      ),
    ];
  });
}

export const deliveryPage: Page = { path: '/ui/delivery', title: 'Delivery', render };
