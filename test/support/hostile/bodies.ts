import fc from 'fast-check';
import { valueOf, type JsonSchema } from './schema-values.ts';
import { hostileString, oversizeString } from './strings.ts';

/** A request body as sent: its kind (for the tally) and its exact text, or none. */
export interface HostileBody {
  kind: string;
  text?: string;
}

const nested = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

/** Values of the wrong type or range for any field: numbers at the edges, operators, nesting, empty containers. */
export const wrongValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(0, -1, 1.5, -0, 2 ** 53, -(2 ** 53), 1e308, -1e308, Number.MIN_VALUE, true, false, null, '', [], {}, [null], ['x'], { '': '' }),
    fc.constantFrom({ $ne: null }, { $gt: '' }, { $where: 'sleep(1000)' }, { $regex: '.*' }, { $in: [] }, { $expr: { $eq: [1, 1] } }),
    fc.jsonValue({ maxDepth: 3 }),
    fc.integer({ min: 3, max: 60 }).map((depth) => JSON.parse(nested(depth, '[', ']'))),
  );

/** One field of `value` (an object) set to something hostile; a new key when the object has none. */
function spoilOneField(value: unknown): fc.Arbitrary<unknown> {
  const keys = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  const key = keys.length > 0 ? fc.constantFrom(...keys) : fc.constantFrom('name', 'content', 'id');
  const spoiled = fc.oneof({ weight: 3, arbitrary: hostileString() }, { weight: 3, arbitrary: wrongValue() }, { weight: 1, arbitrary: oversizeString() });
  return fc.tuple(key, spoiled).map(([k, v]) => ({ ...(value as object), [k]: v }));
}

/** JSON with keys that reach for the prototype or look like query operators, written out as text. */
const pollutedKeys = (value: unknown): fc.Arbitrary<string> =>
  fc.constantFrom('"__proto__":{"isAdmin":true,"status":500}', '"constructor":{"prototype":{"isAdmin":true}}', '"$where":"1"', '"$set":{"ownerId":"x"}', '"":null').map((extra) => {
    const text = JSON.stringify(value ?? {});
    return text.startsWith('{') && text.length > 2 ? `{${extra},${text.slice(1)}` : `{${extra}}`;
  });

/** Texts that are not JSON, or barely: truncated, trailing garbage, a BOM, comments, duplicate keys, NaN. */
const malformed = (value: unknown): fc.Arbitrary<string> => {
  const text = JSON.stringify(value ?? {});
  return fc.constantFrom(
    text.slice(0, Math.max(1, text.length - 1)),
    `${text}garbage`,
    `\ufeff${text}`,
    `/* c */${text}`,
    '{"a":1,"a":2}',
    '{"n": NaN}',
    "{'single': 'quotes'}",
    '',
    ' ',
    '\u0000',
    '{"x":"\\ud800"}',
    '{"x":"\\u0000"}',
    nested(10_000, '{"a":', '}'),
  );
};

/**
 * Bodies for an operation whose request body has `schema` (or none): valid-shaped ones, and those spoiled in one
 * field, in their keys, in their type, in their syntax, in their depth or in their size.
 */
export function hostileBody(schema: JsonSchema | undefined): fc.Arbitrary<HostileBody> {
  const valid = schema ? valueOf(schema) : fc.constant({});
  return valid.chain((value) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant({ kind: 'valid-shaped', text: JSON.stringify(value) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'none' }) },
      { weight: 5, arbitrary: spoilOneField(value).map((v) => ({ kind: 'spoiled field', text: JSON.stringify(v) })) },
      { weight: 1, arbitrary: pollutedKeys(value).map((text) => ({ kind: 'polluted keys', text })) },
      { weight: 1, arbitrary: wrongValue().map((v) => ({ kind: 'wrong top-level type', text: JSON.stringify(v) })) },
      { weight: 1, arbitrary: malformed(value).map((text) => ({ kind: 'malformed', text })) },
      { weight: 1, arbitrary: fc.constantFrom(64, 2_000, 50_000).map((depth) => ({ kind: 'deep nesting', text: nested(depth, '[', ']') })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'oversize', text: JSON.stringify({ ...(value as object), content: 'x'.repeat(1_100_000) }) }) },
    ),
  );
}
