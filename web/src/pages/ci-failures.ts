import { available, get } from '../api';
import type { Page, PageContext } from '../context';
import { field, formValues, h, loadInto, notice, replace } from '../dom';
import type { Paged, Problem } from '../types';

function render(root: HTMLElement, context: PageContext): void {
  const repository = context.params.get('repository') ?? '';
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filter problems',
      onsubmit: (event: Event) => {
        event.preventDefault();
        context.navigate(`/ui/ci-failures?${new URLSearchParams(formValues(form)).toString()}`);
      },
    },
    field(
      'Repository',
      h('input', { name: 'repository', value: repository, placeholder: 'acme/api' }),
    ),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const region = h('section', { class: 'region', 'aria-label': 'Problems of failed CI runs' });
  const trace = h('section', {
    class: 'region',
    'aria-label': 'Log excerpt',
    'aria-live': 'polite',
  });
  root.append(h('h1', {}, 'CI failures'), form, region, trace);

  const showTrace = (problem: Problem) =>
    loadInto(trace, 'log excerpt', async () => {
      const excerpt = await get<{ text?: string; lines?: string[] }>(
        `/api/v1/analysis/problems/${encodeURIComponent(problem.id)}/trace`,
        { mode: 'balanced' },
      );
      const text = excerpt.text ?? (excerpt.lines ?? []).join('\n');
      return [
        h('h2', { id: 'trace-title', tabindex: -1 }, `Log: ${problem.message.slice(0, 120)}`),
        h('pre', { class: 'body', tabindex: 0 }, text),
      ];
    }).then(() => document.getElementById('trace-title')?.focus());

  void loadInto(region, 'CI problems', async () => {
    const answer = await available<Paged<Problem>>('/api/v1/analysis/problems', {
      repository: repository || undefined,
      limit: 200,
    });
    if (!answer.available) {
      return notice(
        'CI failure analysis is not available on this Hookyard.',
        'The API answered 404 for /api/v1/analysis/problems: this version does not analyse CI logs yet. The page fills in once it does.',
      );
    }
    const problems = answer.data.items;
    if (problems.length === 0)
      return h('p', { class: 'empty' }, 'No problem found in failed CI runs.');
    const byFile = new Map<string, Problem[]>();
    for (const p of problems) {
      const key = p.file ?? '(no file)';
      byFile.set(key, [...(byFile.get(key) ?? []), p]);
    }
    const flaky = problems.filter((p) => p.flaky);
    return [
      h(
        'p',
        {},
        `${problems.length} problem(s) in ${byFile.size} file(s); ${problems.filter((p) => p.newInPullRequest).length} new, ${flaky.length} flaky.`,
      ),
      [...byFile.entries()].map(([file, items]) =>
        h(
          'details',
          { class: 'group', open: true },
          h('summary', {}, h('code', {}, file), ` (${items.length})`),
          h(
            'ul',
            { class: 'plain' },
            items.map((p) =>
              h(
                'li',
                {},
                h(
                  'span',
                  { class: `badge ${p.newInPullRequest ? 'new' : 'old'}` },
                  p.newInPullRequest ? 'new' : 'already failing',
                ),
                p.flaky ? h('span', { class: 'badge flaky' }, 'flaky') : null,
                ` ${p.tool} ${p.line !== null ? `line ${p.line}: ` : ''}`,
                h(
                  'button',
                  { type: 'button', class: 'link', onclick: () => void showTrace(p) },
                  p.testName ?? p.message,
                ),
              ),
            ),
          ),
        ),
      ),
    ];
  }).then(() => {
    if (!region.textContent) replace(region, h('p', {}, 'Nothing to show.'));
  });
}

export const ciFailuresPage: Page = { path: '/ui/ci-failures', title: 'CI failures', render };
