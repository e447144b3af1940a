import { ApiError, available, get } from '../api';
import type { Page, PageContext } from '../context';
import { field, formValues, h, loadInto, notice, select } from '../dom';
import type { CodeMatch, IndexedFile, Paged, RepositorySummary, SymbolHit } from '../types';

function fileLink(
  context: PageContext,
  repository: string,
  path: string,
  line: number,
  ref?: string,
): HTMLElement {
  const query = new URLSearchParams({ repository, path, line: String(line) });
  if (ref) query.set('ref', ref);
  const href = `/ui/search/file?${query.toString()}`;
  return h(
    'a',
    {
      href,
      onclick: (event: Event) => {
        event.preventDefault();
        context.navigate(href);
      },
    },
    `${repository}/${path}:${line}`,
  );
}

/** The matching line with each matched range in a <mark>. */
function highlighted(text: string, ranges: Array<[number, number]>): HTMLElement {
  const code = h('code', {});
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    code.append(text.slice(at, start), h('mark', {}, text.slice(start, end)));
    at = end;
  }
  code.append(text.slice(at));
  return code;
}

const UNAVAILABLE = () =>
  notice(
    'Code search is not available on this Hookyard.',
    'The API answered 404 for /api/v1/search: this version does not index repositories yet.',
  );

function render(root: HTMLElement, context: PageContext): void {
  const q = context.params.get('q') ?? '';
  const kind = context.params.get('kind') ?? 'code';
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (event: Event) => {
        event.preventDefault();
        context.navigate(`/ui/search?${new URLSearchParams(formValues(form)).toString()}`);
      },
    },
    field(
      'Search for',
      h('input', {
        name: 'q',
        value: q,
        type: 'search',
        required: true,
        placeholder: 'text or symbol',
      }),
    ),
    field(
      'In',
      select(
        'kind',
        [
          ['code', 'Code'],
          ['symbols', 'Symbols'],
        ],
        kind,
      ),
    ),
    field(
      'Repository',
      h('input', {
        name: 'repository',
        value: context.params.get('repository') ?? '',
        placeholder: 'all',
      }),
    ),
    h('button', { type: 'submit' }, 'Search'),
  );
  const results = h('section', { class: 'region', 'aria-label': 'Results' });
  root.append(h('h1', {}, 'Search'), form, results);
  const repository = context.params.get('repository') ?? undefined;
  void loadInto(results, 'results', async () => {
    if (!q) {
      const probe = await available<unknown>('/api/v1/search/code', {
        q: 'hookyard',
        limit: 1,
      }).catch((error: unknown) => {
        // A 400 means the route exists (it refused the probe's input): searching works.
        if (error instanceof ApiError && error.status === 400)
          return { available: true as const, data: null };
        throw error;
      });
      return probe.available ? h('p', { class: 'muted' }, 'Type a search.') : UNAVAILABLE();
    }
    if (kind === 'symbols') {
      const answer = await available<Paged<SymbolHit>>('/api/v1/search/symbols', {
        q,
        repository,
        limit: 100,
      });
      if (!answer.available) return UNAVAILABLE();
      if (answer.data.items.length === 0) return h('p', { class: 'empty' }, 'No symbol found.');
      return h(
        'ul',
        { class: 'results' },
        answer.data.items.map((s) =>
          h(
            'li',
            {},
            h('span', { class: 'badge' }, s.kind),
            ' ',
            h('code', {}, h('mark', {}, s.name)),
            ' ',
            fileLink(context, s.repository, s.path, s.line),
          ),
        ),
      );
    }
    const answer = await available<Paged<CodeMatch> & { tookMs: number }>('/api/v1/search/code', {
      q,
      repository,
      limit: 100,
    });
    if (!answer.available) return UNAVAILABLE();
    if (answer.data.items.length === 0) return h('p', { class: 'empty' }, 'Nothing found.');
    return [
      h(
        'p',
        { class: 'muted' },
        `${answer.data.items.length}${answer.data.nextCursor ? '+' : ''} match(es) in ${answer.data.tookMs} ms`,
      ),
      h(
        'ul',
        { class: 'results' },
        answer.data.items.map((m) =>
          h(
            'li',
            {},
            fileLink(context, m.repository, m.path, m.line, m.ref),
            h('pre', { class: 'snippet' }, highlighted(m.preview.text, m.ranges)),
          ),
        ),
      ),
    ];
  });
}

async function repositoryId(fullName: string): Promise<string> {
  let cursor: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = await get<Paged<RepositorySummary>>('/api/v1/repositories', {
      limit: 200,
      cursor,
    });
    const found = page.items.find((r) => r.fullName === fullName);
    if (found) return found.id;
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  throw new Error(`Repository ${fullName} is not known to Hookyard`);
}

function renderFile(root: HTMLElement, context: PageContext): void {
  const repository = context.params.get('repository') ?? '';
  const path = context.params.get('path') ?? '';
  const line = Number(context.params.get('line') ?? '0');
  const region = h('section', { class: 'region', 'aria-label': 'File' });
  root.append(h('h1', {}, `${repository}/${path}`), region);
  void loadInto(region, 'file', async () => {
    const id = await repositoryId(repository);
    const file = await get<IndexedFile>(`/api/v1/repositories/${id}/files`, {
      path,
      ref: context.params.get('ref') ?? undefined,
    });
    const lines = file.content.split('\n');
    const listing = h(
      'ol',
      { class: 'listing', tabindex: 0 },
      lines.map((text, index) =>
        h(
          'li',
          { id: `L${index + 1}`, class: index + 1 === line ? 'hit' : undefined },
          h('code', {}, text),
        ),
      ),
    );
    setTimeout(() => document.getElementById(`L${line}`)?.scrollIntoView({ block: 'center' }), 0);
    return [
      h(
        'p',
        { class: 'muted' },
        `${file.ref} @ ${file.commitSha.slice(0, 10)} · ${file.language ?? 'plain text'}`,
      ),
      listing,
    ];
  });
}

export const searchPage: Page = { path: '/ui/search', title: 'Search', render };
export const fileViewPage: Page = { path: '/ui/search/file', title: 'File', render: renderFile };
