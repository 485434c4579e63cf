import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/commands/errors.ts';
import { errorBodySchema } from '../../src/http/errors.ts';
import { startTestServer } from '../support/api.ts';
import { operationsOf, type Operation } from '../support/hostile/openapi.ts';
import { describeRequest, hostileRequest, type HostileRequest } from '../support/hostile/request.ts';
import { reactorsSettled, recordPublishes } from '../support/hostile/settle.ts';
import { Tally, writeReliabilityPart } from '../support/hostile/tally.ts';

/**
 * Properties over every operation /openapi.json documents, with requests generated from its own schemas (fast-check):
 * valid-shaped bodies, params and headers spoiled one part at a time (malformed, oversized, deeply nested, wrongly
 * typed, Unicode edges, injection shapes), sent as a signed-in user with no rights over the fixture, anonymously or
 * with a garbage credential. Whatever is sent: never a 5xx; a status the operation documents; a refused request
 * appends nothing to the event store and publishes nothing on Redis; its error has the one documented shape.
 *
 * `HOSTILE_RUNS` (cases per operation) runs it longer; `HOSTILE_SEED` replays a run (each run prints its seed).
 */

const RUNS = Number(process.env.HOSTILE_RUNS ?? 25);
const SEED = Number(process.env.HOSTILE_SEED ?? Date.now() % 2 ** 31);
console.log(`hostile properties: seed ${SEED} (HOSTILE_SEED=${SEED} replays it), ${RUNS} runs per operation`);

const t = await startTestServer('hostileprops', { RATE_LIMIT_SCALE: '1000' });
const published = await recordPublishes(t.server);
const tally = new Tally();
afterAll(async () => {
  if (process.env.UPDATE_DOCS === '1') {
    writeReliabilityPart(
      'routes',
      `### Every documented route, generated requests (\`test/api/hostile-properties.test.ts\`)\n\n` +
        `${tally.total} requests (${RUNS} per operation, seed ${SEED}), generated from each operation's schemas in /openapi.json and ` +
        'spoiled (malformed, oversized, deeply nested, wrongly typed, Unicode edges, injection shapes in the body, path, query ' +
        'and headers), sent as a signed-in user without rights, anonymously or with a garbage credential. Answers by status:\n\n' +
        tally.table('route', 'answers by status'),
    );
  }
  await published.close();
  await t.close();
});

const document = await t.api.request('GET', '/openapi.json');
const operations = operationsOf(document.body);

const [owner, outsider] = await Promise.all([t.api.register('propowner'), t.api.register('propoutsider')]);
const revolt = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Hostile target' } });
const channelId = revolt.body.channels[0] as string;
const message = await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: owner.token, body: { content: 'hello' } });
const role = await t.api.request('POST', `/v1/revolts/${revolt.body.id}/roles`, { token: owner.token, body: { name: 'mod', permissions: ['MANAGE_MESSAGES'] } });
/** The fixture's real resources, by the name of the path parameter they fill. */
const resources: Record<string, string> = {
  revoltId: revolt.body.id,
  channelId,
  messageId: message.body.id,
  roleId: role.body.id,
  userId: owner.id,
  targetId: owner.id,
  code: revolt.body.inviteCode,
  emoji: encodeURIComponent('👍'),
  username: owner.username,
  discriminator: owner.discriminator,
};
await reactorsSettled(t.server, published.channels);

const isErrorStatus = (status: number) => status >= 400;

async function send(request: HostileRequest) {
  const headers: Record<string, string> = { ...request.headers };
  if (request.credential.kind === 'outsider') headers.authorization = `Bearer ${outsider.token}`;
  if (request.credential.kind === 'garbage') headers.authorization = request.credential.authorization;
  if (request.contentType !== undefined && request.body.text !== undefined) headers['content-type'] = request.contentType;
  const withBody = request.method !== 'GET' && request.body.text !== undefined;
  return t.server.app.inject({ method: request.method, url: request.url, headers, ...(withBody && { payload: request.body.text }) });
}

/** The reasons a request's answer breaks the properties (none when it holds). */
async function check(operation: Operation, request: HostileRequest): Promise<string[]> {
  const head = await t.server.services.store.headPosition();
  const publishedBefore = published.channels.length;
  const response = await send(request);
  const status = response.statusCode;
  tally.count(operation.id, status);
  const problems: string[] = [];
  if (status >= 500) problems.push(`answered ${status}: ${response.body.slice(0, 300)}`);
  if (!isErrorStatus(status)) {
    if (operation.method !== 'GET') await reactorsSettled(t.server, published.channels);
    return problems;
  }
  const parsed = errorBodySchema.safeParse(safeJson(response.body));
  if (!parsed.success) problems.push(`${status} without the documented error shape: ${response.body.slice(0, 200)}`);
  else if (ERROR_CATALOGUE[parsed.data.error.code as ErrorCode].status !== status) problems.push(`${status} with code ${parsed.data.error.code}, whose status is another`);
  // A URL the router cannot match (an encoded slash, say) is another route: its 404 is the not-found handler's.
  const unmatched = status === 404 && parsed.success && parsed.data.error.message.startsWith('no route ');
  if (!operation.statuses.has(status) && !unmatched) problems.push(`${status} is not among the documented ${[...operation.statuses].join(',')}`);
  const after = await t.server.services.store.headPosition();
  if (after !== head) problems.push(`refused with ${status} yet appended ${after - head} events`);
  if (published.channels.length !== publishedBefore) problems.push(`refused with ${status} yet published on ${published.channels.slice(publishedBefore).join(', ')}`);
  return problems;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Logging out would end the outsider's session for every later case: that route is attacked without it. */
const keepsTheSession = (operation: Operation) => (request: HostileRequest) => operation.path !== '/v1/auth/logout' || request.credential.kind !== 'outsider';

/** Sends `text` as is over a TCP connection to the listening API and resolves with what came back. */
function overTheWire(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => undefined);
    socket.end(text);
  });
}

describe('header bytes no in-process request can carry, over a real socket', () => {
  it('CR, LF or NUL inside a header value, a header too large, a malformed request line: a 4xx, never a 5xx', async () => {
    await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.server.app.server.address() as { port: number };
    const request = (header: string) => `GET /v1/users/@me HTTP/1.1\r\nHost: x\r\n${header}\r\nConnection: close\r\n\r\n`;
    const cases = {
      'bare CR in a value': request('X-A: a\rb'),
      'NUL in a value': request('X-A: a\u0000b'),
      'CRLF smuggling a header': request(`Authorization: Bearer ${outsider.token}\r\nX-Injected: 1 \r x`),
      'a 20 kB header': request(`X-A: ${'a'.repeat(20_000)}`),
      'a malformed request line': 'GET /v1/users/@me HTTP/9.9 junk\r\n\r\n',
      'Content-Length and Transfer-Encoding both': 'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    };
    for (const [label, text] of Object.entries(cases)) {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(await overTheWire(port, text))?.[1]);
      tally.count(`raw socket: ${label}`, status);
      expect(status, label).toBeGreaterThanOrEqual(400);
      expect(status, label).toBeLessThan(500);
    }
  });
});

describe('a malformed X-Min-Position', () => {
  it('is refused before a command runs: 400 and nothing appended (it once appended, then answered 400)', async () => {
    const before = await t.server.services.store.headPosition();
    const res = await t.api.request('PATCH', '/v1/users/@me', { token: outsider.token, body: { bio: 'x' }, headers: { 'x-min-position': 'abc' } });
    expect(res.status).toBe(400);
    expect(await t.server.services.store.headPosition()).toBe(before);
  });
});

describe('every documented operation, generated hostile requests', () => {
  it('the document lists the operations', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  for (const operation of operations) {
    it(operation.id, async () => {
      await fc.assert(
        fc.asyncProperty(hostileRequest(operation, resources).filter(keepsTheSession(operation)), async (request) => {
          const problems = await check(operation, request);
          if (problems.length > 0) throw new Error(`${describeRequest(request)}\n  ${problems.join('\n  ')}`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }, 120_000);
  }
});
