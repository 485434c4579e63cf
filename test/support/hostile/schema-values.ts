import fc from 'fast-check';

/** The subset of JSON Schema that /openapi.json uses for request bodies and parameters. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  nullable?: boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

/** Patterns the API uses, with a generator of strings matching each (anything else gets short letters). */
const PATTERNS: Record<string, fc.Arbitrary<string>> = {
  '^[0-9a-f]{24}$': fc.stringMatching(/^[0-9a-f]{24}$/),
};

function stringValue(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.pattern && PATTERNS[schema.pattern]) return PATTERNS[schema.pattern]!;
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 64));
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uri') return fc.webUrl();
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  const minLength = schema.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 32, 32)) });
}

/**
 * Values that fit `schema`'s shape (types, enums, patterns, bounds, required keys), though not every rule behind it:
 * the starting points that mutations spoil one part of.
 */
export function valueOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return fc.oneof(...variants.map((variant) => valueOf(variant, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const value = plainValueOf(schema, depth);
  return schema.nullable ? fc.oneof(value, fc.constant(null)) : value;
}

function plainValueOf(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  switch (schema.type) {
    case 'string':
      return stringValue(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? (schema.exclusiveMinimum ?? -1_000_000) + (schema.exclusiveMinimum === undefined ? 0 : 1), max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > 4) return fc.constant([]);
      return fc.array(valueOf(schema.items ?? {}, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object': {
      if (depth > 4) return fc.constant({});
      const properties = schema.properties ?? {};
      const required = schema.required ?? [];
      const entries = Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, valueOf(property, depth + 1)]));
      return fc.record(entries, { requiredKeys: required.filter((key) => key in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
