/**
 * What a code query needs from the trigram index. pg_trgm narrows candidates only with
 * trigrams taken from runs of three or more word characters that every match must contain;
 * a query without one would read every blob, so it is refused before it reaches PostgreSQL.
 */

const WORD = /[\p{L}\p{N}_]/u;

/** The longest run of word characters in a literal (what pg_trgm extracts trigrams from). */
export function longestWordRun(text: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = WORD.test(c) ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

export function literalHasTrigram(literal: string): boolean {
  return longestWordRun(literal) >= 3;
}

/**
 * Whether every string a regular expression matches must contain some run of three word
 * characters written literally in it. Conservative: when unsure (classes, optional parts,
 * alternatives without a common literal), a part contributes nothing.
 */
export function regexHasTrigram(source: string): boolean {
  return alternativesHaveTrigram(source, 0, source.length);
}

/** Splits [start, end) on top-level `|`; every alternative needs its own required literal. */
function alternativesHaveTrigram(source: string, start: number, end: number): boolean {
  const alternatives: Array<[number, number]> = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      i = classEnd(source, i, end);
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === '|' && depth === 0) {
      alternatives.push([from, i]);
      from = i + 1;
    }
  }
  alternatives.push([from, end]);
  return alternatives.every(([a, b]) => sequenceHasTrigram(source, a, b));
}

function classEnd(source: string, open: number, end: number): number {
  let i = open + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  for (; i < end; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return end;
}

function groupEnd(source: string, open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(source, i, end);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return end;
}

/** Whether the quantifier at `i` (if any) lets the preceding atom occur zero times. */
function optionalAt(source: string, i: number): boolean {
  const c = source[i];
  if (c === '?' || c === '*') return true;
  return c === '{' && /^\{0*(,|\})/.test(source.slice(i));
}

function quantifierAt(source: string, i: number): boolean {
  const c = source[i];
  return (
    c === '?' || c === '*' || c === '+' || (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i)))
  );
}

function sequenceHasTrigram(source: string, start: number, end: number): boolean {
  let run = 0;
  for (let i = start; i < end;) {
    const c = source[i];
    let atomEnd: number;
    let literal: string | undefined;
    let group: [number, number] | undefined;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      // Escaped punctuation is a literal non-word character; \w, \d, \b and friends are not literals.
      literal = /[A-Za-z0-9]/.test(next) ? undefined : next;
      atomEnd = i + 2;
    } else if (c === '[') {
      atomEnd = classEnd(source, i, end) + 1;
    } else if (c === '(') {
      const close = groupEnd(source, i, end);
      let inner = i + 1;
      if (source[inner] === '?') inner = source[inner + 1] === ':' ? inner + 2 : close; // lookarounds add nothing
      group = [inner, close];
      atomEnd = close + 1;
    } else if (c === '.' || c === '^' || c === '$') {
      atomEnd = i + 1;
    } else {
      literal = c;
      atomEnd = i + 1;
    }
    const optional = optionalAt(source, atomEnd);
    const quantified = quantifierAt(source, atomEnd);
    let next = atomEnd;
    if (quantified) {
      next = source[atomEnd] === '{' ? source.indexOf('}', atomEnd) + 1 : atomEnd + 1;
      if (source[next] === '?' || source[next] === '+') next++;
    }
    if (
      group &&
      !optional &&
      group[0] < group[1] &&
      alternativesHaveTrigram(source, group[0], group[1])
    ) {
      return true;
    }
    if (literal !== undefined && !optional && WORD.test(literal)) {
      run++;
      if (run >= 3) return true;
      if (quantified) run = 0;
    } else {
      run = 0;
    }
    i = next;
  }
  return false;
}
