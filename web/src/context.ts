import type { KeyInfo } from './api';

export interface PageContext {
  key: KeyInfo;
  /** Only an admin key may replay or redrive; the API refuses a read key anyway. */
  isAdmin: boolean;
  params: URLSearchParams;
  navigate: (path: string) => void;
}

export interface Page {
  path: string;
  title: string;
  render: (root: HTMLElement, context: PageContext) => void;
}
