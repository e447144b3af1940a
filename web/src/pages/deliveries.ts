import { get, post } from '../api';
import type { Page, PageContext } from '../context';
import { errorBox, field, formValues, h, loadInto, replace, select, table } from '../dom';
import { dateTime, duration, number, percent } from '../format';
import type { DeadLetter, DeliveryDetail, DeliverySummary, Paged, QueueOverview } from '../types';

const PROVIDERS = ['github', 'gitlab', 'gitea', 'bitbucket', 'azure-devops', 'bitbucket-server'];
const STATUSES = [
  'received',
  'queued',
  'processing',
  'processed',
  'ignored',
  'failed',
  'dead',
  'cancelled',
];
const FILTERS = [
  'provider',
  'source',
  'event',
  'status',
  'repository',
  'receivedFrom',
  'receivedTo',
] as const;

function prettyBody(body: string | null, contentType: string): string {
  if (body === null) return '(removed by retention)';
  if (!contentType.includes('json')) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** Converts a datetime-local value to RFC 3339 (UTC), as the API expects. */
function asTimestamp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

function render(root: HTMLElement, context: PageContext): void {
  const params = context.params;
  const filter: Record<string, string | undefined> = {};
  for (const name of FILTERS) filter[name] = params.get(name) ?? undefined;
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filter deliveries',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const values = formValues(form);
        for (const name of ['receivedFrom', 'receivedTo']) {
          const stamp = asTimestamp(values[name]);
          if (stamp) values[name] = stamp;
        }
        context.navigate(`/ui/deliveries?${new URLSearchParams(values).toString()}`);
      },
    },
    field(
      'Provider',
      select(
        'provider',
        [['', 'Any'], ...PROVIDERS.map((p): [string, string] => [p, p])],
        filter.provider,
      ),
    ),
    field(
      'Source',
      h('input', { name: 'source', value: filter.source ?? '', placeholder: 'default' }),
    ),
    field('Event', h('input', { name: 'event', value: filter.event ?? '', placeholder: 'push' })),
    field(
      'Status',
      select(
        'status',
        [['', 'Any'], ...STATUSES.map((s): [string, string] => [s, s])],
        filter.status,
      ),
    ),
    field(
      'Repository',
      h('input', { name: 'repository', value: filter.repository ?? '', placeholder: 'acme/api' }),
    ),
    field(
      'Received from',
      h('input', {
        name: 'receivedFrom',
        value: filter.receivedFrom ?? '',
        placeholder: '2026-01-01',
      }),
    ),
    field(
      'Received before',
      h('input', { name: 'receivedTo', value: filter.receivedTo ?? '', placeholder: '2026-12-31' }),
    ),
    h('button', { type: 'submit' }, 'Filter'),
    h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => context.navigate('/ui/deliveries') },
      'Clear',
    ),
  );
  const queues = h('section', { class: 'region', 'aria-label': 'Queue health' });
  const list = h('section', { class: 'region', 'aria-label': 'Deliveries' });
  const detail = h('section', {
    class: 'region detail',
    'aria-label': 'Delivery',
    'aria-live': 'polite',
  });
  root.append(h('h1', {}, 'Deliveries'), queues, form, h('div', { class: 'split' }, list, detail));

  void loadInto(queues, 'queue health', async () => {
    const [overview, dead] = await Promise.all([
      get<{ queues: QueueOverview[] }>('/api/v1/admin/queues'),
      get<Paged<DeadLetter>>('/api/v1/admin/dead-letters', { limit: 100 }),
    ]);
    const redrive = h(
      'button',
      {
        type: 'button',
        disabled: !context.isAdmin || dead.items.length === 0,
        title: context.isAdmin ? undefined : 'Needs an admin key',
        onclick: () => {
          redrive.disabled = true;
          void post<{ jobId: string }>('/api/v1/admin/dead-letters/redrive', {
            ids: dead.items.map((d) => d.id),
          }).then(
            (accepted) => replace(redriveStatus, `Redrive queued (job ${accepted.jobId}).`),
            (error: unknown) => replace(redriveStatus, errorBox(error)),
          );
        },
      },
      'Redrive dead letters',
    );
    const redriveStatus = h('span', { role: 'status' });
    return [
      h('h2', {}, 'Queue health'),
      h(
        'div',
        { class: 'tiles small' },
        overview.queues.map((q) =>
          h(
            'article',
            { class: 'tile', 'data-queue': q.name },
            h('h3', {}, q.name, q.paused ? ' (paused)' : ''),
            h(
              'p',
              {},
              `Waiting ${number(q.counts.waiting)} · active ${number(q.counts.active)} · failed ${number(q.counts.failed)}`,
            ),
            h(
              'p',
              { class: 'muted' },
              `Oldest waiting ${duration(q.oldestWaitingAgeSeconds)} · failure rate ${percent(q.failureRate)}`,
            ),
          ),
        ),
        h(
          'article',
          { class: 'tile', 'data-queue': 'dead-letters' },
          h('h3', {}, 'Dead letters'),
          h(
            'p',
            { class: 'figure' },
            dead.nextCursor ? `${dead.items.length}+` : String(dead.items.length),
          ),
          context.isAdmin
            ? h('div', {}, redrive, ' ', redriveStatus)
            : h('p', { class: 'muted' }, 'Redrive needs an admin key.'),
        ),
      ),
    ];
  });

  const show = (id: string) =>
    loadInto(detail, 'delivery', async () => {
      const d = await get<DeliveryDetail>(`/api/v1/admin/deliveries/${encodeURIComponent(id)}`);
      const replayStatus = h('span', { role: 'status' });
      const replay = h(
        'button',
        {
          type: 'button',
          class: 'replay',
          onclick: () => {
            replay.disabled = true;
            void post<{ status: string }>(
              `/api/v1/admin/deliveries/${encodeURIComponent(d.id)}/replay`,
              {},
            ).then(
              (accepted) => replace(replayStatus, `Replay accepted: ${accepted.status}.`),
              (error: unknown) => {
                replay.disabled = false;
                replace(replayStatus, errorBox(error));
              },
            );
          },
        },
        'Replay',
      );
      return [
        h(
          'h2',
          { id: 'delivery-title', tabindex: -1 },
          `${d.provider} ${d.event}${d.action ? `.${d.action}` : ''}`,
        ),
        h(
          'p',
          {},
          h('span', { class: `status status-${d.status}` }, d.status),
          ` · ${d.attempts} attempt(s) · ${number(d.bodySize)} bytes`,
        ),
        context.isAdmin
          ? h('p', {}, replay, ' ', replayStatus)
          : h('p', { class: 'muted' }, 'Replay needs an admin key.'),
        d.lastError
          ? h('div', { class: 'error', role: 'note' }, h('strong', {}, 'Last error: '), d.lastError)
          : null,
        h('h3', {}, 'Status history'),
        h(
          'ol',
          { class: 'timeline' },
          h('li', {}, `Received ${dateTime(d.receivedAt)}`),
          d.queuedAt ? h('li', {}, `Queued ${dateTime(d.queuedAt)}`) : null,
          d.processedAt
            ? h('li', {}, `Finished (${d.status}) ${dateTime(d.processedAt)}`)
            : h('li', {}, `Now: ${d.status}`),
        ),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Id'),
          h('dd', {}, h('code', {}, d.id)),
          h('dt', {}, 'Forge delivery id'),
          h('dd', {}, h('code', {}, d.providerDeliveryId)),
          h('dt', {}, 'Source'),
          h('dd', {}, d.source),
          h('dt', {}, 'Repository'),
          h('dd', {}, d.repository ?? '—'),
        ),
        h('h3', {}, 'Headers (signatures and tokens removed)'),
        table(
          ['Header', 'Value'],
          Object.entries(d.headers).map(([name, value]) => [h('code', {}, name), value]),
        ),
        h('h3', {}, 'Body'),
        h('pre', { class: 'body', tabindex: 0 }, prettyBody(d.body, d.contentType)),
      ];
    }).then(() => document.getElementById('delivery-title')?.focus());

  const rows = h('tbody', {});
  const more = h('div', {});
  const loadPage = async (cursor?: string): Promise<Paged<DeliverySummary>> => {
    const page = await get<Paged<DeliverySummary>>('/api/v1/admin/deliveries', {
      ...filter,
      cursor,
      limit: 50,
    });
    for (const d of page.items) {
      rows.append(
        h(
          'tr',
          { 'data-delivery': d.id },
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', class: 'link', onclick: () => void show(d.id) },
              dateTime(d.receivedAt),
            ),
          ),
          h('td', {}, d.provider),
          h('td', {}, d.event, d.action ? `.${d.action}` : ''),
          h('td', {}, d.repository ?? '—'),
          h('td', {}, h('span', { class: `status status-${d.status}` }, d.status)),
          h('td', {}, String(d.attempts)),
        ),
      );
    }
    replace(
      more,
      page.nextCursor
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: (event: Event) => {
                (event.currentTarget as HTMLButtonElement).disabled = true;
                more.setAttribute('aria-busy', 'true');
                loadPage(page.nextCursor ?? undefined).then(
                  () => more.removeAttribute('aria-busy'),
                  (error: unknown) => replace(more, errorBox(error)),
                );
              },
            },
            'Load more',
          )
        : null,
    );
    return page;
  };
  void loadInto(list, 'deliveries', async () => {
    const page = await loadPage();
    if (page.items.length === 0) return h('p', { class: 'empty' }, 'No delivery matches.');
    return [
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'deliveries' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Received', 'Provider', 'Event', 'Repository', 'Status', 'Attempts'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          rows,
        ),
      ),
      more,
    ];
  });
}

export const deliveriesPage: Page = { path: '/ui/deliveries', title: 'Deliveries', render };
