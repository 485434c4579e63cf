/**
 * Hot single documents through the whole HTTP stack (a real socket, auth, rate limits, read-your-writes, the read,
 * fast-json-stringify): GET /v1/revolts/:id, /v1/users/@me, /v1/users/:id, /v1/revolts/:id/members and
 * /v1/revolts/:id/channels at READERS concurrent readers in a process of their own, against one API server in this
 * process, first with its document cache (src/projections/documents) turned off (as DOCUMENT_CACHE_ENTRIES=0 does),
 * then on; the server's CPU per request is this process's. Then what one request's parts cost at the same
 * concurrency (the session load auth does, the revolt aggregate load permissions do, a Redis round trip as rate
 * limits and own writes make, the read model reads the cache saves). The machine is noisy: compare within a run.
 *
 *   npm run bench:documents      (BENCH_MS=3000 READERS=10 MEMBERS=40 CHANNELS=10 by default; BENCH_LOG=error shows
 *                                 the server's log)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ObjectId } from 'mongodb';
import { pino } from 'pino';
import { sessionDecider, sessionStream } from '../src/commands/auth/session.ts';
import { parseToken } from '../src/commands/auth/tokens.ts';
import { revoltDecider, revoltStream } from '../src/commands/revolts/decide.ts';
import { loadConfig } from '../src/config.ts';
import { DocumentCache } from '../src/projections/documents/cache.ts';
import { createServer, type RunningServer } from '../src/server.ts';
import { ApiClient } from '../test/support/api.ts';
import { isolatedEngines } from '../test/support/engines.ts';
import { loadFor, percentile, row, type Load } from './support/load.ts';

const BENCH_MS = Number(process.env.BENCH_MS ?? 3000);
const READERS = Number(process.env.READERS ?? 10);
const MEMBERS = Number(process.env.MEMBERS ?? 40);
const CHANNELS = Number(process.env.CHANNELS ?? 10);

const engines = isolatedEngines('bench_documents');
const logger = pino({ level: process.env.BENCH_LOG ?? 'silent' });
const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', IMPORT_COURSE: 'false', RUN_ACHIEVEMENTS: 'false', RATE_LIMIT_SCALE: '100000', API_PORT: '0', ...engines.env } as const;

async function listening(server: RunningServer): Promise<string> {
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
}

/** READERS loops of GETs for BENCH_MS from a process of their own (bench/support/http-readers.mjs). */
async function readFor(base: string, paths: string[], tokens: string[]): Promise<Load> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'support', 'http-readers.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(JSON.stringify({ base, paths, tokens, ms: BENCH_MS, readers: READERS }));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`the readers exited with ${code}`);
  const { count, seconds, latencies } = JSON.parse(output) as { count: number; seconds: number; latencies: number[] };
  return { perSecond: count / seconds, latencies };
}

const server = await createServer(loadConfig(env), logger);
try {
  const { services } = server;
  const api = new ApiClient(server.app);
  const users: Array<Awaited<ReturnType<ApiClient['register']>>> = [];
  for (let i = 0; i < MEMBERS; i++) users.push(await api.register(`member${i}`));
  const owner = users[0]!;
  const revolt = (await api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Hot' } })).body;
  for (let i = 1; i < CHANNELS; i++) {
    const res = await api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: `channel-${i}` } });
    if (res.status !== 201) throw new Error(`create channel: ${res.status}`);
  }
  let last = 0;
  for (const member of users.slice(1)) {
    const res = await api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: member.token });
    if (res.status !== 200) throw new Error(`join: ${res.status}`);
    last = Math.max(last, Number(res.headers['x-event-position']));
  }
  for (const name of ['users', 'revolts', 'channels']) {
    if (!(await server.engine.waitForPosition(name, last, 60_000))) throw new Error(`the ${name} lane did not catch up`);
  }

  const others = users.slice(1).map((user) => `/v1/users/${user.id}`);
  const reads: Array<[string, string[]]> = [
    ['GET /revolts/:id', [`/v1/revolts/${revolt.id}`]],
    ['GET /users/@me', ['/v1/users/@me']],
    ['GET /users/:id', others],
    ['GET /revolts/:id/members', [`/v1/revolts/${revolt.id}/members?limit=50`]],
    ['GET /revolts/:id/channels', [`/v1/revolts/${revolt.id}/channels`]],
  ];
  const tokens = users.map((user) => user.token);
  const base = await listening(server);
  const caches = { on: services.documents, off: new DocumentCache(server.engine.progress, { maxEntries: 0, maxBytes: 0 }) };
  const rows: Array<Record<string, string | number>> = [];
  const ratios: string[] = [];
  for (const [read, paths] of reads) {
    const results: Partial<Record<'on' | 'off', Load>> = {};
    for (const cache of ['off', 'on'] as const) {
      services.documents = caches[cache];
      const cpu = process.cpuUsage();
      const result = await readFor(base, paths, tokens);
      const { user, system } = process.cpuUsage(cpu);
      results[cache] = result;
      rows.push(row(`${read}, cache ${cache}`, result, { 'server cpu µs/req': Math.round((user + system) / result.latencies.length) }));
    }
    ratios.push(`${read}: cache on / off ${(results.on!.perSecond / results.off!.perSecond).toFixed(2)}x req/s`);
  }

  // What the parts of one request cost, at the same concurrency, called directly.
  const sessionId = parseToken(owner.token)!.sessionId;
  const parts: Array<[string, (i: number) => Promise<unknown>]> = [
    ['auth: session load (event store)', () => services.commands.load(sessionStream(sessionId), sessionDecider)],
    ['permissions: revolt aggregate load (event store)', () => services.commands.load(revoltStream(revolt.id), revoltDecider)],
    ['rate limit / own writes: one Redis round trip', (i) => services.redis.get(`${env.REDIS_PREFIX}:bench:${i % MEMBERS}`)],
    // By the seed's `id` (what the routes read before the cache: a scan on FerretDB) and by `_id` (what a cache miss reads).
    ['read model: revolts findOne by id (FerretDB)', () => services.db.collection('revolts').findOne({ id: revolt.id }, { projection: { members: 0 } })],
    ['read model: revolts findOne by _id (FerretDB)', () => services.db.collection('revolts').findOne({ _id: new ObjectId(revolt.id) }, { projection: { members: 0 } })],
    ['read model: users findOne by id (FerretDB)', (i) => services.db.collection('users').findOne({ id: users[i % MEMBERS]!.id })],
    ['read model: users findOne by _id (FerretDB)', (i) => services.db.collection('users').findOne({ _id: new ObjectId(users[i % MEMBERS]!.id) })],
  ];
  const partRows: Array<Record<string, string | number>> = [];
  for (const [part, op] of parts) {
    const result = await loadFor(BENCH_MS / 3, READERS, op);
    partRows.push({ part, 'ops/s': Math.round(result.perSecond), 'p50 ms': +percentile(result.latencies, 50).toFixed(2) });
  }

  console.log(`documents benchmark: ${READERS} readers, ${BENCH_MS} ms per read, ${MEMBERS} members, ${CHANNELS} channels, node ${process.version}`);
  console.table(rows);
  for (const line of ratios) console.log(line);
  console.table(partRows);
} finally {
  await server.close();
  await engines.drop();
}
