import { SymbolExtractor } from './symbol-extractor';

describe('SymbolExtractor (tree-sitter grammars from @vscode/tree-sitter-wasm)', () => {
  const extractor = new SymbolExtractor();
  afterAll(() => extractor.onModuleDestroy());

  const names = async (language: Parameters<SymbolExtractor['extract']>[0], source: string) =>
    (await extractor.extract(language, source)).map((s) => `${s.kind} ${s.name}:${s.line}`);

  it('TypeScript: functions, classes, methods, interfaces, types, enums, top-level constants', async () => {
    const source = [
      'export function parseConfig(input: string): Config { return {} as Config; }',
      'export class Loader {',
      '  load(): void {}',
      '}',
      'interface Config { a: number }',
      'type Mode = "a" | "b";',
      'enum Color { Red }',
      'export const MAX_ITEMS = 10;',
      'const handler = () => 1;',
      'let notConstant = 2;',
      'function outer() { const inner = 1; return inner; }',
    ].join('\n');
    expect(await names('typescript', source)).toEqual([
      'function parseConfig:1',
      'class Loader:2',
      'method load:3',
      'interface Config:5',
      'type Mode:6',
      'enum Color:7',
      'constant MAX_ITEMS:8',
      'function handler:9',
      'function outer:11',
    ]);
  });

  it('JavaScript and TSX', async () => {
    expect(await names('javascript', 'class A { m() {} }\nfunction* gen() {}\n')).toEqual([
      'class A:1',
      'method m:1',
      'function gen:2',
    ]);
    expect(await names('tsx', 'export function App() { return <div/>; }')).toEqual([
      'function App:1',
    ]);
  });

  it('Python: module functions, classes and their (decorated) methods', async () => {
    const source = [
      'def top():',
      '    pass',
      'class Service:',
      '    def run(self):',
      '        pass',
      '    @staticmethod',
      '    def make():',
      '        pass',
    ].join('\n');
    expect(await names('python', source)).toEqual([
      'function top:1',
      'class Service:3',
      'method run:4',
      'method make:7',
    ]);
  });

  it('Go: functions, methods, structs, interfaces, types, constants', async () => {
    const source = [
      'package main',
      'const Limit = 3',
      'type Server struct{}',
      'type Handler interface{ Serve() }',
      'type ID string',
      'func (s *Server) Start() {}',
      'func main() {}',
    ].join('\n');
    expect(await names('go', source)).toEqual([
      'constant Limit:2',
      'class Server:3',
      'interface Handler:4',
      'type ID:5',
      'method Start:6',
      'function main:7',
    ]);
  });

  it('Java: classes, interfaces, enums, methods and constructors', async () => {
    const source = [
      'class Repo {',
      '  Repo() {}',
      '  void save() {}',
      '}',
      'interface Store {}',
      'enum Level { LOW }',
    ].join('\n');
    expect(await names('java', source)).toEqual([
      'class Repo:1',
      'method Repo:2',
      'method save:3',
      'interface Store:5',
      'enum Level:6',
    ]);
  });

  it('Rust: functions, impl methods, structs, enums, traits, types, constants', async () => {
    const source = [
      'const MAX: u32 = 1;',
      'struct Point { x: i32 }',
      'enum Shape { Circle }',
      'trait Draw { fn draw(&self); }',
      'type Id = u64;',
      'impl Point { fn len(&self) -> i32 { 0 } }',
      'fn main() {}',
    ].join('\n');
    expect(await names('rust', source)).toEqual([
      'constant MAX:1',
      'class Point:2',
      'enum Shape:3',
      'interface Draw:4',
      'method draw:4',
      'type Id:5',
      'method len:6',
      'function main:7',
    ]);
  });
});
