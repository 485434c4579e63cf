import fc from 'fast-check';
import { valueOf, type JsonSchema } from './schema-values.ts';
import { hostileString, oversizeString } from './strings.ts';
import { wrongValue } from './bodies.ts';

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  schema: JsonSchema;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is written as the bytes a careless client
 * would send for it: its 3-byte WTF-8 form, which is not valid UTF-8.
 */
export function encodeAnyway(text: string): string {
  return text
    .split(LONE_SURROGATE)
    .map(encodeURIComponent)
    .reduce((encoded, part, i) => {
      if (i === 0) return part;
      const code = text.match(LONE_SURROGATE)![i - 1]!.charCodeAt(0);
      const bytes = [0xed, 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
      return `${encoded}${bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('')}${part}`;
    });
}

/** Raw segments a hand-written URL carries: bad percent-encoding, encoded slashes and dots, NUL, overlong UTF-8. */
const RAW_SEGMENTS = ['%', '%zz', '%00', '%2F', '..%2F..%2F', '%2e%2e', '%ED%A0%80', '%C0%AF', '%F0%9F%98%80', '@me', '-1', '0', '1e3', ' ', '%20', '%0D%0A'];

/**
 * A path parameter: the fixture's real resource (when there is one), another id of the right shape, or garbage,
 * as the segment it becomes (already URL-encoded where it should be).
 */
export function pathSegment(parameter: Parameter, real: string | undefined): fc.Arbitrary<string> {
  const encoded = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((value) => encodeAnyway(String(value)));
  return fc.oneof(
    { weight: real === undefined ? 0 : 6, arbitrary: fc.constant(real ?? '') },
    { weight: 2, arbitrary: encoded(valueOf(parameter.schema)) },
    { weight: 2, arbitrary: encoded(hostileString()) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 1, arbitrary: encoded(fc.constantFrom('f'.repeat(400), 'a'.repeat(5_000))) },
  );
}

/** A query string for `parameters`: each one left out, valid-shaped, hostile, repeated, plus unknown ones. */
export function queryString(parameters: Parameter[]): fc.Arbitrary<string> {
  const one = (parameter: Parameter) =>
    fc.option(
      fc.oneof(
        { weight: 3, arbitrary: valueOf(parameter.schema).map((v) => [String(v)]) },
        { weight: 2, arbitrary: hostileString().map((v) => [v]) },
        { weight: 1, arbitrary: wrongValue().map((v) => [typeof v === 'string' ? v : JSON.stringify(v)]) },
        { weight: 1, arbitrary: fc.tuple(valueOf(parameter.schema), valueOf(parameter.schema)).map(([a, b]) => [String(a), String(b)]) },
        { weight: 1, arbitrary: oversizeString().map((v) => [v.slice(0, 8_000)]) },
      ),
      { nil: undefined },
    );
  const unknown = fc.option(fc.constantFrom('$where=1', '__proto__[admin]=1', 'limit[$gt]=0', 'q[]=a&q[]=b', '&&&==', '%ZZ=1'), { nil: undefined });
  return fc.tuple(fc.tuple(...parameters.map(one)), unknown).map(([values, extra]) => {
    const pairs = parameters.flatMap((parameter, i) => (values[i] ?? []).map((v) => `${encodeAnyway(parameter.name)}=${encodeAnyway(v)}`));
    if (extra) pairs.push(extra);
    return pairs.length > 0 ? `?${pairs.join('&')}` : '';
  });
}
