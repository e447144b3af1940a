import { AppError, ErrorCode } from './app-error';

/** Deeper than any request body of this API; a deeper one overflows recursive transformers. */
export const MAX_INPUT_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function problemOf(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it has a lone surrogate)';
  return undefined;
}

function refuse(field: string, problem: string): AppError {
  return new AppError(ErrorCode.ValidationFailed, `${field} ${problem}`, { field });
}

/**
 * Checks parsed request input before any DTO transformer sees it: not nested deeper than
 * MAX_INPUT_DEPTH, and no string (value or key) PostgreSQL cannot store. Iterative, so a body
 * nested 50,000 levels costs a loop, not a stack overflow. Throws a 400 naming the field.
 */
export function checkInputShape(input: unknown, root: string, startDepth = 0): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: input, path: root, depth: startDepth },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      const problem = problemOf(value);
      if (problem) throw refuse(path, problem);
      continue;
    }
    if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      throw refuse(path, `is nested deeper than ${MAX_INPUT_DEPTH} levels`);
    }
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item: unknown, i): [string, unknown] => [String(i), item])
      : Object.entries(value);
    for (const [key, inner] of entries) {
      const keyProblem = problemOf(key);
      if (keyProblem) throw refuse(`${path} (a field name)`, keyProblem);
      const innerPath = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
      stack.push({ value: inner, path: innerPath, depth: depth + 1 });
    }
  }
}

/**
 * The query or body of a request: top-level fields are named by their own names
 * (`description`, `filter.repository`), anything else as `what`.
 */
export function checkRequestFields(input: unknown, what: string): void {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    checkInputShape(input, what);
    return;
  }
  for (const [name, value] of Object.entries(input)) {
    const problem = problemOf(name);
    if (problem) throw refuse(`a field name of the ${what}`, problem);
    checkInputShape(value, name, 1);
  }
}
