/**
 * Channel history pages at growing sizes, through the whole HTTP stack (a real socket, auth, rate limits,
 * read-your-writes, the channel permission check, the read, fast-json-stringify): GET /v1/channels/:id/messages
 * latest, `before`, `after` and `around` pages of 50 at READERS concurrent readers, with the read model holding
 * 10k, 100k and 1M messages across 1,000 channels, one of which (the one read, a real channel of a real revolt)
 * holds a fifth of them. Each page's cursor is a random message of that channel. Printed per size and page kind:
 * p50, p99, req/s, this process's CPU per request (server and client: steadier than latencies on a shared machine)
 * and their ratios to the first size's figures, and the machine's load average; and, for the
 * stack's floor at the same concurrency, GET /v1/users/@me (auth, rate limit, own writes and one small read).
 *
 * How the history is built: synthetic MessageSent events (no event store, no HTTP) written in batches of 5,000
 * through the history lane's own `applyBatch` (the lane's exact writes, without the queue), incrementally from one
 * size to the next, then the table vacuumed and analysed (what autovacuum would soon do). The history query alone
 * (no HTTP) is measured at every size. Up to BASELINE_MAX messages, the same events also go through the `messages` read model's lane
 * writes into FerretDB, and the old path (the `messages` collection query the route made before the history read
 * model, the query alone, no HTTP) is measured beside it, for a ratio in the same run.
 * Its own isolated engines, dropped at the end.
 *
 *   npm run bench:reads -- --sizes 10000,100000,1000000     (BENCH_MS=3000 READERS=10 BASELINE_MAX=100000)
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ObjectId, type Collection, type Document, type Filter } from 'mongodb';
import pg from 'pg';
import { pino } from 'pino';
import { buildEventCatalogue } from '../src/catalogue.ts';
import { loadConfig } from '../src/config.ts';
import type { RecordedEvent } from '../src/events/envelope.ts';
import { newId } from '../src/events/ids.ts';
import { liveContext } from '../src/projections/engine/context.ts';
import { applyEvents, upcasting, type ProjectionContext } from '../src/projections/engine/read-model.ts';
import type { TimelinePage } from '../src/projections/history/channel-history.ts';
import { beyond, NEWEST_FIRST, OLDEST_FIRST } from '../src/projections/messages/cursor.ts';
import { messagesReadModel } from '../src/projections/messages/read-model.ts';
import { HIDDEN } from '../src/projections/views.ts';
import { createServer, type RunningServer } from '../src/server.ts';
import { ApiClient } from '../test/support/api.ts';
import { isolatedEngines } from '../test/support/engines.ts';
import { loadFor, percentile, type Load } from './support/load.ts';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '10000,100000,1000000' } } });
const SIZES = args.sizes.split(',').map(Number);
const BENCH_MS = Number(process.env.BENCH_MS ?? 3000);
const READERS = Number(process.env.READERS ?? 10);
const BASELINE_MAX = Number(process.env.BASELINE_MAX ?? 100_000);
const CHANNELS = 1000;
const BIG_SHARE = 0.2;
const LIMIT = 50;
const BATCH = 5000;

const engines = isolatedEngines('bench_reads');
const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', IMPORT_COURSE: 'false', RUN_ACHIEVEMENTS: 'false', RATE_LIMIT_SCALE: '100000', ...engines.env } as const;
const agent = new Agent({ keepAlive: true, maxSockets: READERS });
let server: RunningServer | undefined;

/**
 * Requests answered with a 5xx: on a shared machine PostgreSQL may refuse a new connection (`too many clients`) for a
 * moment; such requests are counted and printed rather than ending a run that took minutes to load. Any 4xx ends it.
 */
let failed = 0;

/** One GET over a kept-alive socket; resolves once the body is read. */
function get(url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => res.statusCode !== 200 && (body += chunk.toString()));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 500) failed += 1;
        if (status === 200 || status >= 500) resolve();
        else reject(new Error(`GET ${url}: ${status} ${body}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `op` run by READERS loops for BENCH_MS: p50, p99, req/s, this process's CPU (server and client) per request, 5xx. */
async function measure(op: () => Promise<unknown>) {
  const cpu = process.cpuUsage();
  const failedBefore = failed;
  const load: Load = await loadFor(BENCH_MS, READERS, op);
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / load.latencies.length;
  return { p50: percentile(load.latencies, 50), p99: percentile(load.latencies, 99), perSecond: load.perSecond, cpuMs, failed: failed - failedBefore };
}
type Figures = Awaited<ReturnType<typeof measure>>;
const ms = (value: number) => value.toFixed(2);
const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`;

/** The page the route made of the `messages` collection before the history read model (around omitted: two of these). */
async function oldPage(messages: Collection<Document>, channelId: ObjectId, direction: TimelinePage['direction'], cursorId?: string) {
  const anchor = cursorId ? await messages.findOne({ id: cursorId, channelId }, { projection: { createdAt: 1 } }) : null;
  const filter: Filter<Document> = anchor ? beyond(anchor, direction === 'older' ? '$lt' : '$gt') : {};
  return messages.find({ channelId, isDeleted: false, ...filter }, { projection: HIDDEN }).sort(direction === 'older' ? NEWEST_FIRST : OLDEST_FIRST).limit(LIMIT).toArray();
}

try {
  server = await createServer(loadConfig(env), pino({ level: 'error' })); // a failing request says why
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  const { history, db, store } = server.services;
  const api = new ApiClient(server.app);
  const reader = await api.register('reader');
  const revolt = (await api.request('POST', '/v1/revolts', { token: reader.token, body: { name: 'History' } })).body;
  const big = revolt.channels[0] as string;
  if (!(await server.engine.waitForPosition('channels', await store.headPosition(), 60_000))) throw new Error('the channels lane did not catch up');

  const catalogue = buildEventCatalogue();
  const historyLane = upcasting(history.readModel, catalogue);
  const messagesLane = upcasting(messagesReadModel, catalogue);
  const messagesContext = liveContext(db, messagesReadModel);
  const others = Array.from({ length: CHANNELS - 1 }, () => newId());
  const bigIds: string[] = [];
  let position = 1e9; // far beyond the store's own positions: these events exist only in the read models
  let clock = Date.parse('2024-01-01T00:00:00Z');

  /** `count` more messages, a fifth in the big channel, the rest across the 999 others, one second apart. */
  async function load(count: number, withBaseline: boolean) {
    for (let done = 0; done < count; done += BATCH) {
      const events: RecordedEvent[] = [];
      for (let i = 0; i < Math.min(BATCH, count - done); i++) {
        const inBig = Math.random() < BIG_SHARE;
        const messageId = newId();
        if (inBig) bigIds.push(messageId);
        events.push({
          id: newId(), type: 'MessageSent', streamId: 'bench', revision: 0, position: ++position,
          metadata: { correlationId: 'bench', causationId: 'bench', actorId: null, occurredAt: new Date(0).toISOString(), schemaVersion: 1 },
          data: {
            messageId, channelId: inBig ? big : others[Math.floor(Math.random() * others.length)]!, revoltId: revolt.id, authorId: reader.id,
            content: `message ${position} with a few words of text in it`, type: 'text', mentions: [], roleMentions: [], channelMentions: [],
            mentionEveryone: false, createdAt: new Date((clock += 1000)).toISOString(),
          },
        });
      }
      await applyEvents(historyLane, events, {} as ProjectionContext);
      if (withBaseline) await applyEvents(messagesLane, events, messagesContext);
    }
  }

  /** What autovacuum does to a freshly loaded table a little later (statistics, visibility map), done at once. */
  async function settle() {
    const client = new pg.Client({ connectionString: history.location.connectionString });
    await client.connect();
    await client.query(`vacuum analyze ${pg.escapeIdentifier(history.location.schema)}.messages`);
    await client.end();
  }

  const cursor = () => bigIds[Math.floor(Math.random() * bigIds.length)]!;
  const kinds: Array<[string, () => string]> = [
    ['latest', () => ''],
    ['before', () => `&before=${cursor()}`],
    ['after', () => `&after=${cursor()}`],
    ['around', () => `&around=${cursor()}`],
  ];
  const first = new Map<string, Figures>();
  let loaded = 0;
  for (const size of SIZES) {
    const withBaseline = size <= BASELINE_MAX;
    const started = performance.now();
    await load(size - loaded, withBaseline);
    loaded = size;
    const seconds = (performance.now() - started) / 1000;
    await settle();
    console.log(`size ${size}: ${bigIds.length} messages in the channel read, loaded in ${seconds.toFixed(1)} s, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const [kind, query] of kinds) {
      const now = await measure(() => get(`${base}/v1/channels/${big}/messages?limit=${LIMIT}${query()}`, reader.token));
      const then = first.get(kind) ?? now;
      first.set(kind, then);
      console.log(
        `size ${size} ${kind}: p50 ${ms(now.p50)} ms, p99 ${ms(now.p99)} ms, ${Math.round(now.perSecond)} req/s at ${READERS} readers, cpu ${ms(now.cpuMs)} ms/req, ${now.failed} 5xx; ` +
          `to size ${SIZES[0]}: p50 ${ratio(now.p50, then.p50)}, p99 ${ratio(now.p99, then.p99)}, req/s ${ratio(now.perSecond, then.perSecond)}, cpu ${ratio(now.cpuMs, then.cpuMs)}`,
      );
    }
    const floor = await measure(() => get(`${base}/v1/users/@me`, reader.token));
    console.log(`size ${size} floor, GET /v1/users/@me (auth, rate limit, own writes, one read): p50 ${ms(floor.p50)} ms, p99 ${ms(floor.p99)} ms, ${Math.round(floor.perSecond)} req/s, cpu ${ms(floor.cpuMs)} ms/req, ${floor.failed} 5xx`);
    const query = (direction: TimelinePage['direction'], from?: () => string) => async () => {
      const place = from ? await history.place(big, from()) : null;
      await history.page({ channelId: big, limit: LIMIT, direction, from: place ? { ...place, inclusive: false } : undefined });
    };
    const messages = db.collection('messages');
    const channelId = new ObjectId(big);
    for (const [kind, direction, from] of [['latest', 'older', undefined], ['before', 'older', cursor]] as const) {
      const fresh = await measure(query(direction, from));
      const line = `size ${size} ${kind}, the query alone: history p50 ${ms(fresh.p50)} ms, p99 ${ms(fresh.p99)} ms, ${Math.round(fresh.perSecond)} req/s`;
      if (!withBaseline) {
        console.log(line);
        continue;
      }
      const old = await measure(() => oldPage(messages, channelId, direction, from?.()));
      console.log(`${line}; old path (messages collection) p50 ${ms(old.p50)} ms, p99 ${ms(old.p99)} ms, ${Math.round(old.perSecond)} req/s; history/old req/s ${ratio(fresh.perSecond, old.perSecond)}`);
    }
  }
} finally {
  agent.destroy();
  await server?.close();
  await engines.drop();
}
