/**
 * A small checker of JSON values against OpenAPI 3.0 schemas (the subset GitHub's description
 * uses for the responses the fake forge serves): $ref, type, nullable, required, properties,
 * items, enum, allOf, anyOf, oneOf. It answers every mismatch with its JSON path.
 */
type Schema = Record<string, unknown>;

export class OpenApiChecker {
  constructor(private readonly document: Schema) {}

  private resolve(schema: Schema): Schema {
    let current = schema;
    for (let depth = 0; typeof current.$ref === 'string' && depth < 20; depth += 1) {
      const path = current.$ref.replace(/^#\//, '').split('/');
      let target: unknown = this.document;
      for (const part of path) target = (target as Schema)[part];
      current = target as Schema;
    }
    return current;
  }

  /** The response schema of an operation, or undefined when the description has none. */
  responseSchema(path: string, method: string, status: number): Schema | undefined {
    const paths = this.document.paths as Record<string, Record<string, Schema>>;
    const operation = paths[path]?.[method.toLowerCase()];
    const responses = operation?.responses as Record<string, Schema> | undefined;
    const response = responses?.[String(status)];
    if (!response) return undefined;
    const content = this.resolve(response).content as Record<string, Schema> | undefined;
    return content?.['application/json']?.schema as Schema | undefined;
  }

  check(value: unknown, schema: Schema, at = '$'): string[] {
    const s = this.resolve(schema);
    if (value === null) {
      return s.nullable === true || (s.type === undefined && !s.allOf && !s.properties)
        ? []
        : [`${at}: null where the description does not allow it`];
    }
    if (Array.isArray(s.allOf)) {
      return (s.allOf as Schema[]).flatMap((part) => this.check(value, part, at));
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const options = s[key];
      if (Array.isArray(options)) {
        const results = (options as Schema[]).map((part) => this.check(value, part, at));
        return results.some((r) => r.length === 0)
          ? []
          : [`${at}: matches none of ${key} (${results.map((r) => r[0]).join(' | ')})`];
      }
    }
    const problems: string[] = [];
    if (Array.isArray(s.enum) && !s.enum.includes(value)) {
      problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
    }
    switch (s.type) {
      case 'object': {
        if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
        const record = value as Record<string, unknown>;
        for (const name of (s.required as string[] | undefined) ?? []) {
          if (!(name in record)) problems.push(`${at}.${name}: required, missing`);
        }
        const properties = (s.properties as Record<string, Schema> | undefined) ?? {};
        for (const [name, inner] of Object.entries(record)) {
          const property = properties[name];
          if (property) problems.push(...this.check(inner, property, `${at}.${name}`));
        }
        return problems;
      }
      case 'array':
        if (!Array.isArray(value)) return [`${at}: not an array`];
        return value.flatMap((item, i) => this.check(item, s.items as Schema, `${at}[${i}]`));
      case 'integer':
        return Number.isInteger(value) ? problems : [`${at}: not an integer`];
      case 'number':
        return typeof value === 'number' ? problems : [`${at}: not a number`];
      case 'string':
        return typeof value === 'string' ? problems : [`${at}: not a string`];
      case 'boolean':
        return typeof value === 'boolean' ? problems : [`${at}: not a boolean`];
      default:
        return problems;
    }
  }
}
