import type { TraceMode } from './analysis.dto';

/** Lines of context around a problem in `balanced` mode. */
export const BALANCED_CONTEXT = 10;

/** The 0-based range [first, last] of the cleaned log a trace mode shows for a problem. */
export function excerptRange(
  mode: TraceMode,
  start: number,
  end: number,
  lineCount: number,
): { first: number; last: number } {
  const lastLine = Math.max(0, lineCount - 1);
  switch (mode) {
    case 'compact':
      return { first: Math.min(start, lastLine), last: Math.min(end, lastLine) };
    case 'balanced':
      return {
        first: Math.max(0, start - BALANCED_CONTEXT),
        last: Math.min(lastLine, end + BALANCED_CONTEXT),
      };
    case 'full':
      return { first: 0, last: lastLine };
  }
}
