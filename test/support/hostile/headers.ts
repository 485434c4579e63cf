import fc from 'fast-check';
import { hostileString } from './strings.ts';

/** Who sends the request: the signed-in user without rights over the fixture, nobody, or a garbage credential. */
export type Credential = { kind: 'outsider' } | { kind: 'anonymous' } | { kind: 'garbage'; authorization: string };

const garbageAuthorization = fc.oneof(
  fc.constantFrom('Bearer', 'Bearer ', 'Bearer null', 'Basic dXNlcjpwYXNz', 'bearer x.y.z', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'Bearer \u0000', 'Bearer ' + 'A'.repeat(8_000), 'Bearer a b c', 'Token abc'),
  fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`),
);

export const credential = (): fc.Arbitrary<Credential> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant({ kind: 'outsider' as const }) },
    { weight: 3, arbitrary: fc.constant({ kind: 'anonymous' as const }) },
    { weight: 1, arbitrary: garbageAuthorization.map((authorization) => ({ kind: 'garbage' as const, authorization })) },
  );

/** Content types a body may claim, most of them lies about a JSON body. */
export const contentType = (): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'multipart/form-data; boundary=',
        'application/json; charset=utf-16',
        'application/json; charset=nonsense',
        'application/merge-patch+json',
        'application/xml',
        'application/octet-stream',
        '*/*',
        'application/json, text/html',
        '',
      ),
    },
  );

/** The optional headers a client controls, each absent, well-formed or garbage. */
export const extraHeaders = (): fc.Arbitrary<Record<string, string>> =>
  fc
    .record(
      {
        'x-min-position': fc.constantFrom('-1', '1.5', 'abc', '', '9'.repeat(40), 'NaN', '\u0000', '0', '-0', '+1'),
        'idempotency-key': fc.oneof(fc.constantFrom('', ' ', 'k'.repeat(256), 'a b', '../x', 'ключ', 'k\u0000', '$ne'), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/)),
        'x-forwarded-for': fc.constantFrom('127.0.0.1, 10.0.0.1', 'not an address', '::1', '1.1.1.1'.repeat(100)),
        'x-hostile': fc.oneof(hostileString(), fc.constant('y'.repeat(12_000))),
        accept: fc.constantFrom('text/html', 'application/xml', '*/*;q=0', 'application/json;q=abc'),
        'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*;q=0', 'zstd, deflate'),
        'if-none-match': fc.constantFrom('*', '"x"', 'W/"' + 'z'.repeat(500) + '"', '\u0000'),
      },
      { requiredKeys: [] },
    )
    // What the wire can carry: bytes, read as latin1 (UTF-8 text arrives as its bytes); a value holding CR, LF or NUL
    // is refused by Node's parser before the app sees it, so those are sent over a real socket instead.
    .map((headers) =>
      Object.fromEntries(
        Object.entries(headers)
          .map(([name, value]) => [name, Buffer.from(value).toString('latin1')] as const)
          .filter(([, value]) => !/[\r\n\u0000]/.test(value)),
      ),
    );
