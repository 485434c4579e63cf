import fc from 'fast-check';
import { hostileBody, type HostileBody } from './bodies.ts';
import { contentType, credential, extraHeaders, type Credential } from './headers.ts';
import type { Method, Operation } from './openapi.ts';
import { pathSegment, queryString } from './parameters.ts';

/** One request a hostile client sends to an operation. */
export interface HostileRequest {
  method: Method;
  url: string;
  credential: Credential;
  contentType: string | undefined;
  headers: Record<string, string>;
  body: HostileBody;
}

/**
 * Requests for `operation`: its path parameters filled from `resources` (the fixture's real ids, by parameter
 * name) or garbage, its query and headers spoiled or not, a body derived from its request schema.
 */
export function hostileRequest(operation: Operation, resources: Record<string, string>): fc.Arbitrary<HostileRequest> {
  const segments = fc.tuple(...operation.pathParameters.map((p) => pathSegment(p, resources[p.name])));
  return fc
    .record({
      segments,
      query: queryString(operation.queryParameters),
      credential: credential(),
      contentType: contentType(),
      headers: extraHeaders(),
      body: hostileBody(operation.body),
    })
    .map(({ segments, query, credential, contentType, headers, body }) => {
      const values = new Map(operation.pathParameters.map((p, i) => [p.name, segments[i]!]));
      const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => values.get(name) ?? 'x');
      const request = { method: operation.method, url: `${path}${query}`, credential, contentType, headers, body };
      // fast-check prints a counterexample with this: short, where the whole request may be megabytes.
      return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
    });
}

/** What a request was, short enough for a failure message. */
export const describeRequest = (r: HostileRequest): string =>
  `${r.method} ${r.url.slice(0, 120)} as ${r.credential.kind}, content-type ${JSON.stringify(r.contentType)}, headers ${JSON.stringify(Object.keys(r.headers))}, body ${r.body.kind}: ${(r.body.text ?? '').slice(0, 120)}`;
