import fc from 'fast-check';

/**
 * Strings at the edges of Unicode and of what text handling tends to get wrong: each is valid JSON once serialised
 * (JSON.stringify escapes a lone surrogate), so they reach the validators rather than the JSON parser.
 */
export const UNICODE_EDGES = [
  '\ud800', // a lone high surrogate
  '\udfff', // a lone low surrogate
  'a\ud83db', // half an emoji between letters
  '\u0000', // NUL
  'nul\u0000inside',
  '\u202eevil\u202c', // right-to-left override
  '\u2066isolate\u2069',
  '\u200b', // zero-width space alone
  'zero\u200bwidth\u200d\ufeff',
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301', // a letter drowned in combining marks
  '\u0300', // a combining mark with nothing to combine with
  '👨\u200d👩\u200d👧\u200d👦', // an emoji ZWJ sequence
  '🏳️\u200d🌈',
  '𝕳𝖊𝖑𝖑𝖔', // 4-byte characters
  '\u{10ffff}', // the last code point
  '\ufffe\uffff', // non-characters
  '\u0085\u2028\u2029', // line separators JavaScript and JSON disagree about
  '\r\n\t\u000b\u000c',
  '\u001b[31mred\u001b[0m', // a terminal escape
] as const;

/** Shapes of injection: Mongo operators and JavaScript, SQL, prototype keys, paths, markup, format strings. */
export const INJECTIONS = [
  '$ne',
  '$where',
  "'; DROP TABLE events; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '__proto__',
  'constructor.prototype',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '<script>alert(1)</script>',
  '${process.exit()}',
  '{{7*7}}',
  '%s%s%s%n',
  'header\r\nX-Injected: 1',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e999',
] as const;

/** One edge or injection, possibly wrapped in ordinary text and repeated, never empty. */
export const hostileString = (): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...UNICODE_EDGES, ...INJECTIONS), fc.string({ maxLength: 8 }), fc.integer({ min: 1, max: 4 }))
    .map(([edge, around, times]) => `${around}${edge.repeat(times)}${around}`);

/** A string far longer than any field allows (a few kB to a few hundred kB: bounded so a run stays quick). */
export const oversizeString = (): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom('x', 'é', '😀', '\u0000', '\u200b'), fc.constantFrom(5_000, 70_000, 300_000)).map(([unit, times]) => unit.repeat(times));
