import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { registeredRoutes } from '../../src/bootstrap';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Every query and body field of every API route, fuzzed: whatever a client sends, the answer is
 * never a 5xx, and an error is the JSON envelope. Routes come from the running server (so a new
 * route is fuzzed without a change here); their fields from its OpenAPI document.
 */

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
};
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface Route {
  method: string;
  /** `/api/v1/admin/sources/:id` */
  url: string;
  pathParams: string[];
  queryFields: Array<{ name: string; enum?: unknown[] }>;
  bodyFields: Array<{ name: string; enum?: unknown[]; nested: string[] }>;
}

const RUNS_PER_ROUTE = 12;
const DEEP = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;

/** What attackers and careless clients send, beside random values. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '2024-W01',
  '2024-01',
  '2024-01-01T10Z',
  '0000-01-01',
  '2024-02-30',
  '9999-12-31T23:59:59.999999999+14:59',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  'meta',
  'events',
  'id',
  'completed',
  'stalled-check',
  'wait',
  'a:b',
  '../../etc/passwd',
  '%00',
  '%',
  randomUUID().toUpperCase(),
  randomUUID(),
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(10_000),
  '\u202e\ufeff',
  '😀'.repeat(300),
  'github',
  'deliveries',
  'dead',
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
);

/** Any JSON value, hostile strings included, nested a little. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, 2 ** 53, -(2 ** 31) - 1, 2 ** 31),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor', '\u0000'), tie('value'), {
      maxKeys: 2,
    }),
  ),
})).value;

function resolve(doc: OpenApi, schema: Schema | undefined, seen = 0): Schema | undefined {
  if (!schema || seen > 10) return schema;
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() ?? '';
    return resolve(doc, doc.components?.schemas?.[name], seen + 1);
  }
  if (schema.allOf) {
    const merged: Schema = { type: 'object', properties: {} };
    for (const part of schema.allOf) {
      Object.assign(merged.properties ?? {}, resolve(doc, part, seen + 1)?.properties ?? {});
    }
    return merged;
  }
  return schema;
}

function routesOf(t: TestApp, doc: OpenApi): Route[] {
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const { method, url } of registeredRoutes(t.app)) {
    if (!url.startsWith('/api/') || method === 'HEAD' || method === 'OPTIONS') continue;
    const key = `${method} ${url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const docPath = url.replace(/:(\w+)/g, '{$1}');
    const operation = doc.paths[docPath]?.[method.toLowerCase()] ?? {};
    const pathParams = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]);
    const queryFields = (operation.parameters ?? [])
      .filter((p) => p.in === 'query')
      .map((p) => ({ name: p.name, enum: resolve(doc, p.schema)?.enum }));
    const body = resolve(doc, operation.requestBody?.content?.['application/json']?.schema);
    const bodyFields = Object.entries(body?.properties ?? {}).map(([name, schema]) => {
      const resolved = resolve(doc, schema);
      return {
        name,
        enum: resolved?.enum,
        nested: Object.keys(resolve(doc, resolved?.items ?? resolved)?.properties ?? {}),
      };
    });
    routes.push({ method, url, pathParams, queryFields, bodyFields });
  }
  return routes;
}

/** A field's value: mostly hostile, sometimes a valid enum member (to reach deeper code). */
function fieldValue(enumValues: unknown[] | undefined): fc.Arbitrary<unknown> {
  return enumValues && enumValues.length > 0
    ? fc.oneof(fc.constantFrom(...enumValues), hostileValue)
    : hostileValue;
}

function requestFor(route: Route) {
  const nestedObject = (names: string[]) =>
    names.length === 0
      ? hostileValue
      : fc.dictionary(fc.constantFrom(...names, 'extra'), hostileValue, { maxKeys: names.length });
  return fc.record({
    path: fc.tuple(...route.pathParams.map(() => hostileString)),
    query: fc
      .subarray(route.queryFields)
      .chain((fields) =>
        fc.tuple(...fields.map((f) => fc.tuple(fc.constant(f.name), fieldValue(f.enum)))),
      ),
    body: fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .subarray(route.bodyFields)
          .chain((fields) =>
            fc
              .tuple(
                ...fields.map((f) =>
                  fc.tuple(
                    fc.constant(f.name),
                    fc.oneof(
                      fieldValue(f.enum),
                      nestedObject(f.nested),
                      fc.array(nestedObject(f.nested), { maxLength: 2 }),
                    ),
                  ),
                ),
              )
              .map((entries) => JSON.stringify(Object.fromEntries(entries))),
          ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(DEEP, `{"filter":${DEEP}}`, '{', 'null', '[]', '"x"'),
      },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
  });
}

function queryString(entries: Array<[string, unknown]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of entries) {
    if (Array.isArray(value)) for (const item of value) params.append(name, String(item));
    else params.append(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

describe('fuzzing every query and body field of every API route (no 5xx)', () => {
  let t: TestApp;
  let routes: Route[];

  beforeAll(async () => {
    t = await startTestApp({ WORKER_CONCURRENCY: '2' });
    const doc = (await t.request('GET', '/docs-json', { token: null })).json<OpenApi>();
    routes = routesOf(t, doc);
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  it('finds the routes and their fields in the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThan(30);
    const names = (url: string, method: string) =>
      routes.find((r) => r.url === url && r.method === method);
    expect(names('/api/v1/admin/deliveries', 'GET')?.queryFields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['event', 'receivedFrom', 'cursor', 'limit']),
    );
    expect(names('/api/v1/admin/dead-letters/redrive', 'POST')?.bodyFields).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'filter' })]),
    );
  });

  it('answers every fuzzed request below 500, with the JSON error envelope', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      await fc
        .assert(
          fc.asyncProperty(requestFor(route), async (r) => {
            let path = route.url;
            route.pathParams.forEach((name, i) => {
              path = path.replace(`:${name}`, encodeURIComponent(String(r.path[i])) || 'x');
            });
            path += queryString(r.query);
            const response = await t.request(route.method, path, {
              body: r.body,
              headers: r.body === undefined ? {} : { 'content-type': 'application/json' },
            });
            sent += 1;
            const problem =
              response.status >= 500
                ? `HTTP ${response.status} ${response.text.slice(0, 200)}`
                : response.status >= 400 && !/"code":"[A-Z_0-9]+"/.test(response.text)
                  ? `HTTP ${response.status} without the error envelope: ${response.text.slice(0, 200)}`
                  : undefined;
            if (problem) {
              failures.push(
                `${route.method} ${path.slice(0, 300)} ${String(r.body).slice(0, 200)}: ${problem}`,
              );
              return false;
            }
            return true;
          }),
          { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
        )
        .catch(() => undefined);
    }
    expect(sent).toBeGreaterThanOrEqual(routes.length);
    expect(failures).toEqual([]);
  }, 300_000);
});
