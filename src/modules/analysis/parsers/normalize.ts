import { createHash } from 'node:crypto';
import { Problem, ProblemDraft, Tool } from './problem';

// Where CI systems check the repository out; what follows is the path in the repository.
const WORKSPACE_PREFIXES: readonly RegExp[] = [
  /^\/home\/runner\/work\/[^/]+\/[^/]+\//, // GitHub-hosted runners
  /^\/__w\/[^/]+\/[^/]+\//, // GitHub container jobs
  /^\/github\/workspace\//,
  /^\/builds\/(?:[^/]+\/)+?[^/]+\/(?=(?:src|lib|test|tests|app|pkg|cmd|internal|packages)\/)/, // GitLab
  /^\/builds\/[^/]+\/[^/]+\//,
  /^\/(?:tmp|var\/tmp)\/[^/]+\//,
  /^\/workspace\//,
  /^\/drone\/src\//,
  /^[A-Za-z]:\\a\\[^\\]+\\[^\\]+\\/, // Windows runners
];

/** A path as the repository knows it: no workspace prefix, no leading `./`, forward slashes. */
export function repositoryPath(file: string): string {
  let path = file.trim();
  for (const prefix of WORKSPACE_PREFIXES) {
    if (prefix.test(path)) {
      path = path.replace(prefix, '');
      break;
    }
  }
  path = path.replace(/\\/g, '/');
  while (path.startsWith('./')) path = path.slice(2);
  return path;
}

/** The message with what changes from run to run replaced, so equal problems compare equal. */
export function stableMessage(message: string): string {
  return message
    .replace(/\b0x[0-9a-f]+\b/gi, '0x…')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?\b/g, '<time>')
    .replace(/(?:\/(?:tmp|var\/tmp)|\/home\/runner\/work)\/\S+/g, '<path>')
    .replace(/\(\d+(?:\.\d+)?m?s\)/g, '')
    .replace(/\b\d+(?:\.\d+)?\b/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

export function fingerprintOf(tool: Tool, draft: ProblemDraft): string {
  const parts = [
    tool,
    draft.code ?? '',
    draft.file ?? '',
    draft.testName ?? '',
    stableMessage(draft.message),
  ];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export function finish(tool: Tool, draft: ProblemDraft): Problem {
  const file = draft.file === undefined ? undefined : repositoryPath(draft.file);
  const normalized: ProblemDraft = { ...draft, file, message: draft.message.trim() };
  return { ...normalized, tool, fingerprint: fingerprintOf(tool, normalized) };
}
