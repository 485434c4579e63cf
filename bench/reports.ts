/**
 * The report engine on a history of BENCH_EVENTS events (registrations, revolts, joins, messages, voice stays,
 * donations with failures and refunds, letters) appended in batches to a PostgreSQL event store of its own:
 * - events replayed per second by the engine (the user-activity-report accumulator, upcasting included) against a
 *   raw read of the same events from the store (readAll in the same pages), in the same run: the ratio;
 * - the time of a cold report (from position 0, no snapshot);
 * - the time of the same report as of a recent position with a snapshot (kept every BENCH_SNAPSHOT_EVERY events in
 *   a FerretDB database of its own by a first replay), which replays only the tail.
 * The machine is shared and noisy: compare the ratios.
 *
 *   node --import tsx bench/reports.ts   (BENCH_EVENTS, default 1000000; BENCH_USERS, default 10000; BENCH_SNAPSHOT_EVERY, default 100000)
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { buildEventCatalogue } from '../src/catalogue.ts';
import type { EventToAppend } from '../src/events/envelope.ts';
import { PostgresEventStore } from '../src/events/store/postgres.ts';
import { DEFAULT_BATCH_SIZE, runReport } from '../src/reports/engine/replay.ts';
import { MongoSnapshotStore } from '../src/reports/engine/snapshots.ts';
import { userActivityReport } from '../src/reports/user-activity/report-accumulator.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SNAPSHOT_EVERY = Number(process.env.BENCH_SNAPSHOT_EVERY ?? 100_000);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/revolution_test';
const MONGO_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
const APPEND = 1000;

const catalogue = buildEventCatalogue();
const upcast = catalogue.upcast.bind(catalogue);
const run = randomUUID().replaceAll('-', '').slice(0, 8);
const hex = (kind: number, n: number) => (kind * 0x1_000_000 + n).toString(16).padStart(24, '0');
const REVOLTS = Math.max(1, Math.floor(USERS / 10));
const user = (n: number) => hex(1, n % USERS);
const revolt = (n: number) => hex(2, n % REVOLTS);

/** A small deterministic generator: the same history on every run. */
let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = (n: number) => Math.floor(random() * n);
let clock = Date.UTC(2026, 0, 1);
/** Each event 30 s after the previous: a million events span about a year. */
const tick = () => new Date((clock += 30_000)).toISOString();

type Event = { type: string; data: Record<string, unknown> };
let donations = 0;

/** One event of the steady mix after the registrations and foundings: mostly messages. */
function next(at: string): Event[] {
  const u = pick(USERS);
  const r = pick(REVOLTS);
  const roll = random();
  if (roll < 0.8) return [{ type: 'MessageSent', data: { messageId: hex(3, pick(2 ** 24)), channelId: hex(4, r), revoltId: revolt(r), authorId: user(u), content: 'hello there', type: 'text', mentions: [], roleMentions: [], channelMentions: [], mentionEveryone: false, createdAt: at } }];
  if (roll < 0.88) return [{ type: 'MemberJoined', data: { revoltId: revolt(r), revoltName: `r${r}`, userId: user(u), username: `u${u}`, isOwner: false, joinedAt: at } }];
  if (roll < 0.9) return [{ type: 'MemberLeft', data: { revoltId: revolt(r), userId: user(u), at } }];
  if (roll < 0.95) {
    const on = { sessionId: hex(5, pick(2 ** 24)), revoltId: revolt(r), channelId: hex(6, r), userId: user(u) };
    return [{ type: 'VoiceParticipantLeft', data: { ...on, reason: 'left', joinedAt: at, leftAt: at, durationMs: 60_000 + pick(600_000), screenShareMs: 0 } }];
  }
  if (roll < 0.99) {
    const donationId = hex(7, donations++);
    const money = { donationId, revoltId: revolt(r), donorId: user(u), ownerId: user(r), currency: pick(4) === 0 ? 'eur' : 'usd' };
    const amount = 100 + pick(10_000);
    const outcome = random();
    return [
      { type: 'DonationPledged', data: { ...money, revoltName: `r${r}`, donorEmail: 'x@bench.example', donorName: `u${u}`, amount, isAnonymous: false, stripePaymentIntentId: `pi_${donationId}`, pledgedAt: at } },
      outcome < 0.1
        ? { type: 'DonationFailed', data: { donationId, stripePaymentIntentId: `pi_${donationId}`, stripeEventId: `evt_${donationId}`, failedAt: at } }
        : { type: 'DonationCompleted', data: { ...money, amount, stripePaymentIntentId: `pi_${donationId}`, stripeEventId: `evt_${donationId}`, stripeEventType: 'payment_intent.succeeded', completedAt: at } },
      ...(outcome > 0.95 ? [{ type: 'DonationRefunded', data: { ...money, amount, refundedTotal: amount, full: true, refundedAt: at } }] : []),
    ];
  }
  return [{ type: 'LetterCompleted', data: { userId: user(u), letterId: 1 + pick(30), at } }];
}

function* history(): Generator<Event> {
  for (let u = 0; u < USERS; u++) yield { type: 'UserRegistered', data: { userId: user(u), email: `u${u}@bench.example`, username: `u${u}`, discriminator: '0001', passwordHash: 'x', userType: 'supporter', joinedAt: tick() } };
  const settings = { isPublic: true, verificationLevel: 0, maxMembers: 100_000, allowInvites: true, slowMode: 0, contentFilter: 0, region: 'eu', premiumTier: 0 };
  for (let r = 0; r < REVOLTS; r++) {
    const at = tick();
    yield { type: 'RevoltCreated', data: { revoltId: revolt(r), ownerId: user(r), name: `r${r}`, description: '', settings: { ...settings, isPublic: r % 3 !== 0 }, inviteCode: `r${r}`, createdAt: at } };
  }
  for (let produced = USERS + REVOLTS; produced < EVENTS; ) {
    for (const event of next(tick())) {
      produced += 1;
      yield event;
    }
  }
}

async function append(store: PostgresEventStore): Promise<number> {
  let batch: EventToAppend[] = [];
  let batches = 0;
  let count = 0;
  for (const { type, data } of history()) {
    const occurredAt = new Date(clock).toISOString();
    batch.push({ id: randomUUID(), type, data, metadata: { correlationId: run, causationId: run, actorId: null, occurredAt, schemaVersion: 1 } });
    count += 1;
    if (batch.length === APPEND) {
      await store.appendToStream(`bench-reports-${batches++}`, batch, 'any');
      batch = [];
    }
  }
  if (batch.length > 0) await store.appendToStream(`bench-reports-${batches}`, batch, 'any');
  return count;
}

async function rawRead(store: PostgresEventStore, head: number): Promise<number> {
  let after = 0;
  let count = 0;
  while (after < head) {
    const page = await store.readAll({ after, maxCount: DEFAULT_BATCH_SIZE });
    if (page.length === 0) break;
    count += page.length;
    after = page[page.length - 1]!.position;
  }
  return count;
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const fixed = (value: number, digits = 2) => value.toFixed(digits);

const schema = `bench_reports_${run}`;
const store = new PostgresEventStore({ connectionString: PG_URL, schema, pollIntervalMs: 1000 });
const mongo = await MongoClient.connect(MONGO_URL, { maxPoolSize: 3 });
const db = mongo.db(`bench_reports_${run}`);
try {
  await store.migrate();
  let started = performance.now();
  const appended = await append(store);
  const head = await store.headPosition();
  console.log(`history: ${appended} events, ${USERS} users, ${REVOLTS} revolts, appended in ${fixed(seconds(started), 1)} s, node ${process.version}`);

  started = performance.now();
  const read = await rawRead(store, head);
  const rawSeconds = seconds(started);
  console.log(`raw read (readAll, pages of ${DEFAULT_BATCH_SIZE}): ${read} events in ${fixed(rawSeconds)} s, ${Math.round(read / rawSeconds)} events/s`);

  started = performance.now();
  const cold = await runReport({ store, upcast }, userActivityReport, { bucket: 'day' }, head);
  const coldSeconds = seconds(started);
  console.log(`engine replay (${userActivityReport.name}, cold): ${cold.replay.events} events in ${fixed(coldSeconds)} s, ${Math.round(cold.replay.events / coldSeconds)} events/s`);
  console.log(`engine / raw read: ${fixed(read / rawSeconds === 0 ? 0 : cold.replay.events / coldSeconds / (read / rawSeconds))}x events/s`);
  console.log(`cold report as of position ${head}: ${fixed(coldSeconds)} s`);

  const snapshots = new MongoSnapshotStore(db);
  const earlier = Math.max(1, head - Math.max(1, Math.floor(SNAPSHOT_EVERY / 10)));
  started = performance.now();
  await runReport({ store, upcast, snapshots }, userActivityReport, { bucket: 'day' }, earlier, { snapshotEvery: SNAPSHOT_EVERY });
  console.log(`snapshots kept every ${SNAPSHOT_EVERY} events by a replay as of position ${earlier}: ${fixed(seconds(started))} s`);

  started = performance.now();
  const warm = await runReport({ store, upcast, snapshots }, userActivityReport, { bucket: 'day' }, head, { snapshotEvery: Number.MAX_SAFE_INTEGER });
  const warmSeconds = seconds(started);
  console.log(`report as of position ${head} from the snapshot at ${warm.replay.fromPosition}: ${fixed(warmSeconds)} s, ${warm.replay.events} events replayed`);
  console.log(`cold / with snapshot: ${fixed(coldSeconds / warmSeconds)}x faster`);
  const same = JSON.stringify(warm.body) === JSON.stringify(cold.body);
  console.log(`same answer with and without the snapshot: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
} finally {
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
  await store.dropSchema();
  await store.close();
}
