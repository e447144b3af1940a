import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Language, Node, Parser, TreeCursor } from 'web-tree-sitter';
import { SymbolLanguage } from './languages';

export const SYMBOL_KINDS = [
  'function',
  'class',
  'method',
  'interface',
  'type',
  'enum',
  'constant',
] as const;
export type SymbolKind = (typeof SYMBOL_KINDS)[number];

export interface ExtractedSymbol {
  name: string;
  kind: SymbolKind;
  /** 1-based line of the name. */
  line: number;
}

/** Bumped when extraction changes, so that a changed extractor rebuilds indexes. */
export const SYMBOL_EXTRACTOR_VERSION = 1;
/** Files larger than this are searchable but not parsed: generated bundles, mostly. */
const MAX_PARSE_BYTES = 512 * 1024;
const MAX_SYMBOLS_PER_FILE = 5000;

const GRAMMAR_FILE: Record<SymbolLanguage, string> = {
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
  java: 'tree-sitter-java.wasm',
  rust: 'tree-sitter-rust.wasm',
};

type Classifier = (type: string, ancestors: readonly string[]) => SymbolKind | undefined;

const ECMASCRIPT: Record<string, SymbolKind> = {
  function_declaration: 'function',
  generator_function_declaration: 'function',
  class_declaration: 'class',
  abstract_class_declaration: 'class',
  method_definition: 'method',
  abstract_method_signature: 'method',
  interface_declaration: 'interface',
  type_alias_declaration: 'type',
  enum_declaration: 'enum',
};

const TOP_LEVEL = new Set(['program', 'export_statement', 'module', 'source_file']);

function classifyEcmascript(type: string, ancestors: readonly string[]): SymbolKind | undefined {
  const kind = ECMASCRIPT[type];
  if (kind) return kind;
  // `const NAME = …` at the top of a module: a constant, or a function when it holds one.
  if (type === 'variable_declarator' && ancestors.at(-1) === 'lexical_declaration') {
    const outer = ancestors.at(-2);
    if (outer !== undefined && TOP_LEVEL.has(outer)) return 'constant';
  }
  return undefined;
}

const CLASSIFIERS: Record<SymbolLanguage, Classifier> = {
  typescript: classifyEcmascript,
  tsx: classifyEcmascript,
  javascript: classifyEcmascript,
  python: (type, ancestors) => {
    if (type === 'class_definition') return 'class';
    if (type !== 'function_definition') return undefined;
    const parent =
      ancestors.at(-1) === 'decorated_definition' ? ancestors.at(-3) : ancestors.at(-2);
    return parent === 'class_definition' ? 'method' : 'function';
  },
  go: (type) => {
    switch (type) {
      case 'function_declaration':
        return 'function';
      case 'method_declaration':
        return 'method';
      case 'type_spec':
      case 'type_alias':
        return 'type';
      case 'const_spec':
        return 'constant';
      default:
        return undefined;
    }
  },
  java: (type) => {
    switch (type) {
      case 'class_declaration':
      case 'record_declaration':
        return 'class';
      case 'interface_declaration':
      case 'annotation_type_declaration':
        return 'interface';
      case 'enum_declaration':
        return 'enum';
      case 'method_declaration':
      case 'constructor_declaration':
        return 'method';
      default:
        return undefined;
    }
  },
  rust: (type, ancestors) => {
    switch (type) {
      case 'function_item':
      case 'function_signature_item':
        return ancestors.includes('impl_item') || ancestors.includes('trait_item')
          ? 'method'
          : 'function';
      case 'struct_item':
      case 'union_item':
        return 'class';
      case 'enum_item':
        return 'enum';
      case 'trait_item':
        return 'interface';
      case 'type_item':
        return 'type';
      case 'const_item':
      case 'static_item':
        return 'constant';
      default:
        return undefined;
    }
  },
};

/** Go's `type X interface{…}` is an interface, its other type specs are types. */
function refine(language: SymbolLanguage, kind: SymbolKind, node: Node): SymbolKind | undefined {
  if (language === 'go' && kind === 'type') {
    const body = node.childForFieldName('type');
    if (body?.type === 'interface_type') return 'interface';
    if (body?.type === 'struct_type') return 'class';
  }
  if (
    kind === 'constant' &&
    (language === 'typescript' || language === 'tsx' || language === 'javascript')
  ) {
    if (node.parent?.firstChild?.type !== 'const') return undefined;
    const value = node.childForFieldName('value');
    if (value && (value.type === 'arrow_function' || value.type === 'function_expression')) {
      return 'function';
    }
  }
  return kind;
}

/**
 * Finds definitions with tree-sitter (web-tree-sitter, grammars prebuilt as WebAssembly by
 * @vscode/tree-sitter-wasm). Grammars load once per process, on first use.
 */
@Injectable()
export class SymbolExtractor implements OnModuleDestroy {
  private parser: Promise<Parser> | undefined;
  private readonly languages = new Map<SymbolLanguage, Promise<Language>>();

  async extract(language: SymbolLanguage, source: string): Promise<ExtractedSymbol[]> {
    if (source.length > MAX_PARSE_BYTES) return [];
    const parser = await this.parserInstance();
    parser.setLanguage(await this.language(language));
    const tree = parser.parse(source);
    if (!tree) return [];
    try {
      return this.walk(language, tree.walk());
    } finally {
      tree.delete();
    }
  }

  onModuleDestroy(): void {
    void this.parser?.then((p) => p.delete());
  }

  private walk(language: SymbolLanguage, cursor: TreeCursor): ExtractedSymbol[] {
    const classify = CLASSIFIERS[language];
    const symbols: ExtractedSymbol[] = [];
    const ancestors: string[] = [];
    try {
      for (;;) {
        const type = cursor.nodeType;
        const kind = classify(type, ancestors);
        if (kind) {
          const node = cursor.currentNode;
          const name = node.childForFieldName('name');
          const refined = refine(language, kind, node);
          if (refined && name && name.text.length > 0 && name.text.length <= 200) {
            symbols.push({ name: name.text, kind: refined, line: name.startPosition.row + 1 });
            if (symbols.length >= MAX_SYMBOLS_PER_FILE) return symbols;
          }
        }
        if (cursor.gotoFirstChild()) {
          ancestors.push(type);
          continue;
        }
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) return symbols;
          ancestors.pop();
        }
      }
    } finally {
      cursor.delete();
    }
  }

  private parserInstance(): Promise<Parser> {
    this.parser ??= Parser.init().then(() => new Parser());
    return this.parser;
  }

  private language(language: SymbolLanguage): Promise<Language> {
    let loaded = this.languages.get(language);
    if (!loaded) {
      loaded = this.parserInstance().then(() =>
        // Bytes, not a path: given a path, web-tree-sitter imports node:fs dynamically,
        // which Jest's CommonJS runtime cannot do.
        readFile(join(grammarDirectory(), GRAMMAR_FILE[language])).then((bytes) =>
          Language.load(new Uint8Array(bytes)),
        ),
      );
      this.languages.set(language, loaded);
    }
    return loaded;
  }
}

function grammarDirectory(): string {
  return dirname(require.resolve('@vscode/tree-sitter-wasm'));
}
