/** Languages the index names, by file extension. Symbols exist for the first six. */
export const SYMBOL_LANGUAGES = [
  'typescript',
  'tsx',
  'javascript',
  'python',
  'go',
  'java',
  'rust',
] as const;
export type SymbolLanguage = (typeof SYMBOL_LANGUAGES)[number];

const BY_EXTENSION: Record<string, string> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  java: 'java',
  rs: 'rust',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
  kt: 'kotlin',
  swift: 'swift',
  scala: 'scala',
  sh: 'shell',
  bash: 'shell',
  md: 'markdown',
  json: 'json',
  yml: 'yaml',
  yaml: 'yaml',
  toml: 'toml',
  sql: 'sql',
  html: 'html',
  css: 'css',
  scss: 'css',
  vue: 'vue',
  svelte: 'svelte',
};

/** The language of a path, or null when its extension is not one we name. */
export function languageOf(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? null;
}

export function isSymbolLanguage(language: string | null): language is SymbolLanguage {
  return language !== null && (SYMBOL_LANGUAGES as readonly string[]).includes(language);
}

/** Languages accepted by the search filters. */
export const KNOWN_LANGUAGES: readonly string[] = [...new Set(Object.values(BY_EXTENSION))].sort();
