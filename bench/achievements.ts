/**
 * How long the achievements reactor takes to catch up on a history of BENCH_EVENTS events (registrations, revolts
 * founded and joined, follows, letters, donations, voice stays, reactions and messages among BENCH_USERS users),
 * counting them into its counters and issuing every unlock they earn, against the projection engine's `users` read
 * model catching up on the same events, in the same run, on the same PostgreSQL event store (a schema of its own)
 * and FerretDB (a database each). The machine is shared and noisy: compare the ratio.
 *
 *   node --import tsx bench/achievements.ts      (BENCH_EVENTS, default 100000; BENCH_USERS, default 1000)
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { MongoClient, type Db } from 'mongodb';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildEventCatalogue } from '../src/catalogue.ts';
import { CommandHandler } from '../src/commands/handler.ts';
import type { EventToAppend } from '../src/events/envelope.ts';
import { PostgresEventStore } from '../src/events/store/postgres.ts';
import { ProjectionEngine } from '../src/projections/engine/engine.ts';
import { laneQueuePrefix, redisOptions } from '../src/projections/engine/queues.ts';
import { usersReadModel } from '../src/projections/users/read-model.ts';
import { ACHIEVEMENTS_REACTOR, achievementsReactor } from '../src/reactors/achievements.ts';
import { createReactorEngine, REACTORS } from '../src/reactors/engine.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/revolution_test';
const MONGO_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APPEND = 500;

const catalogue = buildEventCatalogue();
const run = randomUUID().replaceAll('-', '').slice(0, 8);
const hex = (kind: number, n: number) => (kind * 0x1_000_000 + n).toString(16).padStart(24, '0');
const user = (n: number) => hex(1, n % USERS);
const revoltOf = (n: number) => hex(2, n % Math.max(1, Math.floor(USERS / 10)));

/** A small deterministic generator: the same history on every run. */
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = (n: number) => Math.floor(random() * n);

let clock = Date.UTC(2026, 0, 1);
const now = () => new Date((clock += 1000)).toISOString();

/** The history, in order: users register, a tenth of them found a revolt, then everything else interleaved. */
function history(): { type: string; data: Record<string, unknown> }[] {
  const revolts = Math.max(1, Math.floor(USERS / 10));
  const out: { type: string; data: Record<string, unknown> }[] = [];
  for (let u = 0; u < USERS; u++) {
    const at = now();
    out.push({ type: 'UserRegistered', data: { userId: user(u), email: `u${u}@bench.example`, username: `u${u}`, discriminator: '0001', passwordHash: 'x', userType: 'creator', joinedAt: at } });
  }
  for (let r = 0; r < revolts; r++) {
    const at = now();
    const settings = { isPublic: true, verificationLevel: 0, maxMembers: 100_000, allowInvites: true, slowMode: 0, contentFilter: 0, region: 'eu', premiumTier: 0 };
    out.push({ type: 'RevoltCreated', data: { revoltId: revoltOf(r), ownerId: user(r), name: `r${r}`, description: '', settings, inviteCode: `r${r}`, createdAt: at } });
    out.push({ type: 'MemberJoined', data: { revoltId: revoltOf(r), revoltName: `r${r}`, userId: user(r), username: `u${r}`, isOwner: true, joinedAt: at } });
  }
  const kinds: [number, () => { type: string; data: Record<string, unknown> }][] = [
    [3, () => { const u = pick(USERS); const r = pick(revolts); return { type: 'MemberJoined', data: { revoltId: revoltOf(r), revoltName: `r${r}`, userId: user(u), username: `u${u}`, isOwner: false, joinedAt: now() } }; }],
    [5, () => ({ type: 'UserFollowed', data: { followerId: user(pick(USERS)), followeeId: user(pick(USERS)), at: now() } })],
    [3, () => ({ type: 'LetterCompleted', data: { userId: user(pick(USERS)), letterId: 1 + pick(30), at: now() } })],
    [1, () => { const r = pick(revolts); return { type: 'DonationCompleted', data: { donationId: hex(3, pick(1e6)), revoltId: revoltOf(r), donorId: user(pick(USERS)), ownerId: user(r), currency: 'usd', amount: 500 + pick(20_000), stripePaymentIntentId: 'pi', stripeEventId: 'evt', stripeEventType: 'payment_intent.succeeded', completedAt: now() } }; }],
    [1, () => { const at = now(); return { type: 'VoiceParticipantLeft', data: { sessionId: hex(4, 1), revoltId: revoltOf(0), channelId: hex(5, 0), userId: user(pick(USERS)), reason: 'left', joinedAt: at, leftAt: at, durationMs: pick(3_600_000), screenShareMs: pick(2) * pick(600_000) } }; }],
    [17, () => ({ type: 'ReactionAdded', data: { messageId: hex(6, pick(1e6)), channelId: hex(5, 0), revoltId: revoltOf(0), emoji: '👍', userId: user(pick(USERS)), authorId: user(pick(USERS)), at: now() } })],
    [70, () => ({ type: 'MessageSent', data: { messageId: hex(6, pick(1e6)), channelId: hex(5, 0), revoltId: revoltOf(0), authorId: user(pick(USERS)), content: 'hello', type: 'text', mentions: [], roleMentions: [], channelMentions: [], mentionEveryone: false, createdAt: now() } })],
  ];
  const weights = kinds.reduce((sum, [weight]) => sum + weight, 0);
  while (out.length < EVENTS) {
    let draw = pick(weights);
    const [, make] = kinds.find(([weight]) => (draw -= weight) < 0)!;
    out.push(make());
  }
  return out.slice(0, EVENTS);
}

async function append(store: PostgresEventStore): Promise<number> {
  const events = history();
  for (let i = 0; i < events.length; i += APPEND) {
    const chunk: EventToAppend[] = events.slice(i, i + APPEND).map(({ type, data }) => {
      catalogue.assertValid(type, data);
      const metadata = { correlationId: randomUUID(), causationId: randomUUID(), actorId: null, occurredAt: now(), schemaVersion: catalogue.schemaVersionOf(type) };
      return { id: randomUUID(), type, data, metadata };
    });
    await store.appendToStream(`bench-history-${i / APPEND}`, chunk, 'any');
  }
  return store.headPosition();
}

const following = (store: PostgresEventStore, db: Db, prefix: string) => ({
  store,
  db,
  redis: { url: REDIS_URL },
  prefix,
  catalogue,
  logger: pino({ level: 'warn' }),
  registry: new Registry(),
});

/** Seconds for `engine` (started from nothing) to reach `head` on its lane `lane`. */
async function catchUp(engine: ProjectionEngine, lane: string, head: number): Promise<number> {
  const started = performance.now();
  await engine.start();
  if (!(await engine.waitForPosition(lane, head, 3_600_000))) throw new Error(`${lane} did not reach ${head}`);
  const seconds = (performance.now() - started) / 1000;
  await engine.stop();
  return seconds;
}

async function obliterate(name: string, prefix: string, kind?: string): Promise<void> {
  const queue = new Queue(name, { connection: redisOptions({ url: REDIS_URL }), prefix: laneQueuePrefix(prefix, kind) });
  await queue.obliterate({ force: true });
  await queue.close();
}

const store = new PostgresEventStore({ connectionString: PG_URL, schema: `rn_bench_achievements_${run}` });
const client = await MongoClient.connect(MONGO_URL);
const dbs = { users: client.db(`rn_bench_users_${run}`), achievements: client.db(`rn_bench_achievements_${run}`) };
const prefix = `rn_bench_${run}`;
try {
  await store.migrate();
  const head = await append(store);
  console.log(`history: ${head} events, ${USERS} users`);

  const projection = await catchUp(new ProjectionEngine({ ...following(store, dbs.users, prefix), readModels: [usersReadModel] }), 'users', head);
  const reactor = await catchUp(
    createReactorEngine({ ...following(store, dbs.achievements, prefix), reactors: [achievementsReactor()], commands: new CommandHandler(store, { catalogue }) }),
    ACHIEVEMENTS_REACTOR,
    head,
  );
  const unlocks = (await store.headPosition()) - head;

  const rate = (seconds: number) => Math.round(head / seconds);
  console.log(`projection engine, users read model: ${projection.toFixed(1)} s, ${rate(projection)} events/s`);
  console.log(`achievements reactor: ${reactor.toFixed(1)} s, ${rate(reactor)} events/s, ${unlocks} unlocks issued`);
  console.log(`achievements reactor / projection engine: ${(rate(reactor) / rate(projection)).toFixed(2)}x events/s`);
} finally {
  await obliterate('users', prefix);
  await obliterate(ACHIEVEMENTS_REACTOR, prefix, REACTORS.kind);
  await dbs.users.dropDatabase();
  await dbs.achievements.dropDatabase();
  await client.close();
  await store.dropSchema();
  await store.close();
}
