import './style.css';
import { api, ApiError, storeKey, storedKey, type KeyInfo } from './api';
import { destroyCharts } from './charts';
import type { Page } from './context';
import { errorBox, h, replace } from './dom';
import { ciFailuresPage } from './pages/ci-failures';
import { deliveriesPage } from './pages/deliveries';
import { deliveryPage } from './pages/delivery';
import { pullRequestsPage } from './pages/pull-requests';
import { fileViewPage, searchPage } from './pages/search';

const PAGES: Page[] = [deliveryPage, pullRequestsPage, deliveriesPage, ciFailuresPage, searchPage];
const HIDDEN_PAGES: Page[] = [fileViewPage];
const root = document.getElementById('app') as HTMLElement;
let key: KeyInfo | null = null;

function navigate(path: string): void {
  history.pushState(null, '', path);
  void route();
}

function currentPage(): Page {
  const path = location.pathname.replace(/\/+$/, '');
  return [...PAGES, ...HIDDEN_PAGES].find((p) => p.path === path) ?? PAGES[0];
}

function signInForm(message?: unknown): HTMLElement {
  const input = h('input', {
    type: 'password',
    name: 'key',
    id: 'api-key',
    autocomplete: 'current-password',
    required: true,
    placeholder: 'hy_…',
  });
  const status = h('div', { 'aria-live': 'polite' }, message ? errorBox(message) : null);
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (event: Event) => {
        event.preventDefault();
        replace(
          status,
          h(
            'div',
            { class: 'loading', role: 'status' },
            h('span', { class: 'spinner' }),
            'Checking the key…',
          ),
        );
        void signIn(input.value.trim()).catch((error: unknown) => replace(status, errorBox(error)));
      },
    },
    h('h1', {}, 'Hookyard'),
    h('p', {}, 'Sign in with an API key. It stays in this browser tab only (session storage).'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  setTimeout(() => input.focus(), 0);
  return h('main', { class: 'center' }, form);
}

async function signIn(candidate: string): Promise<void> {
  const info = await api<KeyInfo>('GET', '/api/v1/auth/key', { key: candidate });
  storeKey(candidate);
  key = info;
  if (location.pathname === '/' || location.pathname === '/ui' || location.pathname === '/ui/') {
    history.replaceState(null, '', PAGES[0].path);
  }
  await route();
}

function signOut(): void {
  storeKey(null);
  key = null;
  destroyCharts();
  replace(root, signInForm());
}

function shell(page: Page, info: KeyInfo): { main: HTMLElement; frame: HTMLElement } {
  const main = h('main', { id: 'main', tabindex: -1 });
  const links = PAGES.map((p) =>
    h(
      'a',
      {
        href: p.path,
        'aria-current':
          p === page || (page === fileViewPage && p === searchPage) ? 'page' : undefined,
        onclick: (event: Event) => {
          const mouse = event as MouseEvent;
          if (mouse.ctrlKey || mouse.metaKey || mouse.shiftKey) return;
          event.preventDefault();
          navigate(p.path);
        },
      },
      p.title,
    ),
  );
  const frame = h(
    'div',
    { class: 'frame' },
    h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    h(
      'header',
      {},
      h('span', { class: 'brand' }, 'Hookyard'),
      h('nav', { 'aria-label': 'Pages' }, links),
      h(
        'span',
        { class: 'who' },
        h(
          'span',
          { class: 'badge', title: `Key ${info.keyId}` },
          `${info.name} · ${info.scopes.join(', ')}`,
        ),
        h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'),
      ),
    ),
    main,
  );
  return { main, frame };
}

async function route(): Promise<void> {
  destroyCharts();
  const candidate = storedKey();
  if (!key && candidate) {
    try {
      key = await api<KeyInfo>('GET', '/api/v1/auth/key', { key: candidate });
    } catch (error) {
      storeKey(null);
      replace(
        root,
        signInForm(
          error instanceof ApiError && error.status === 401
            ? 'The stored key is no longer accepted'
            : error,
        ),
      );
      return;
    }
  }
  if (!key) {
    replace(root, signInForm());
    return;
  }
  if (!location.pathname.startsWith('/ui/')) history.replaceState(null, '', PAGES[0].path);
  const page = currentPage();
  document.title = `${page.title} · Hookyard`;
  const { main, frame } = shell(page, key);
  replace(root, frame);
  page.render(main, {
    key,
    isAdmin: key.scopes.includes('admin'),
    params: new URLSearchParams(location.search),
    navigate,
  });
}

window.addEventListener('popstate', () => void route());
void route();
