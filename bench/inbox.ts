/**
 * The notification inbox at growing sizes: GET /v1/notifications's read (the latest page of 50, the latest page of
 * unread ones) and GET /v1/notifications/unread-count's, the queries alone, at READERS concurrent readers, with the
 * inbox read model holding each of BENCH_SIZES notifications in all. The readers' users (READERS of them) have
 * PER_READER notifications each at every size; the rest are @everyone-like batches to BENCH_FILL other users, added
 * from one size to the next. Printed per size: p50, p99 and reads/s of each read, and the latest page's p50 and p99
 * as ratios to the first size's. Up to BASELINE_MAX notifications, the same events also go through the seed's
 * `notifications` read model into FerretDB, and its old page query (the route's before the inbox read model) is
 * measured beside it.
 *
 * How the inbox is filled: synthetic NotificationsIssued events (no event store, no HTTP) through the inbox lane's own
 * `applyBatch` (the lane's exact writes, without the queue), then the tables vacuumed and analysed (what autovacuum
 * would soon do). Its own PostgreSQL schema and FerretDB database, dropped at the end.
 *
 *   npm run bench:inbox      (BENCH_SIZES=10000,1000000 BENCH_FILL=10000 PER_READER=100 BENCH_MS=3000 READERS=10 BASELINE_MAX=10000)
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { MongoClient, ObjectId } from 'mongodb';
import pg from 'pg';
import { buildEventCatalogue } from '../src/catalogue.ts';
import type { RecordedEvent } from '../src/events/envelope.ts';
import { liveContext } from '../src/projections/engine/context.ts';
import { createSpecIndexes } from '../src/projections/engine/indexes.ts';
import { applyEvents, upcasting, type ProjectionContext } from '../src/projections/engine/read-model.ts';
import { openInbox } from '../src/projections/inbox/inbox.ts';
import { NOTIFICATIONS, notificationsReadModel } from '../src/projections/notifications/read-model.ts';
import { HIDDEN } from '../src/projections/views.ts';
import { loadFor, percentile, type Load } from './support/load.ts';

const SIZES = (process.env.BENCH_SIZES ?? '10000,1000000').split(',').map(Number);
const FILL = Number(process.env.BENCH_FILL ?? 10_000);
const PER_READER = Number(process.env.PER_READER ?? 100);
const BENCH_MS = Number(process.env.BENCH_MS ?? 3000);
const READERS = Number(process.env.READERS ?? 10);
const BASELINE_MAX = Number(process.env.BASELINE_MAX ?? 10_000);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/revolution_test';
const MONGO_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
const LIMIT = 50;
/** Events per applyBatch: a lane job's worth. */
const JOB = 20;

const catalogue = buildEventCatalogue();
const run = randomUUID().replaceAll('-', '').slice(0, 8);
const hex = (kind: number, n: number) => (kind * 0x1_000_000 + n).toString(16).padStart(24, '0');
const readers = Array.from({ length: READERS }, (_, i) => hex(1, i));
const fillUsers = Array.from({ length: FILL }, (_, i) => hex(2, i));
const start = Date.now() - 24 * 60 * 60 * 1000;
let position = 0;

/** A batch to `recipients`, a second after the previous one. */
function issued(recipients: string[]): RecordedEvent[] {
  const batchId = hex(3, position);
  const createdAt = new Date(start + position * 1000).toISOString();
  const data = { batchId, type: 'channel_mention', recipients, title: 'mentioned', message: `batch ${position}`, revoltId: hex(4, 0), actorId: hex(5, 0), createdAt };
  catalogue.assertValid('NotificationsIssued', data);
  const metadata = { correlationId: run, causationId: run, actorId: null, occurredAt: createdAt, schemaVersion: 1 };
  return [{ id: randomUUID(), type: 'NotificationsIssued', data, streamId: 'bench', revision: 0, position: ++position, metadata }];
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);
const figures = (load: Load) => `p50 ${fixed(percentile(load.latencies, 50))} ms, p99 ${fixed(percentile(load.latencies, 99))} ms, ${Math.round(load.perSecond)}/s`;

const inbox = await openInbox({ connectionString: PG_URL, schema: `rn_bench_inbox_${run}` });
const admin = new pg.Client({ connectionString: PG_URL });
const mongo = await MongoClient.connect(MONGO_URL, { maxPoolSize: 5 });
const db = mongo.db(`rn_bench_inbox_${run}`);
try {
  await admin.connect();
  for (const spec of notificationsReadModel.collections) await createSpecIndexes(db.collection(spec.name), spec);
  const lane = upcasting(inbox.readModel, catalogue);
  const seedLane = upcasting(notificationsReadModel, catalogue);
  const seedCtx = liveContext(db, notificationsReadModel);
  const notifications = db.collection(NOTIFICATIONS);
  console.log(`inbox benchmark: ${READERS} readers, ${BENCH_MS} ms per read, ${PER_READER} notifications per reader, fill batches of ${FILL}`);

  // The readers' own notifications: one batch to all of them at a time (part of the first size).
  let rows = 0;
  const write = async (events: RecordedEvent[], count: number, alsoSeed: boolean) => {
    await applyEvents(lane, events, {} as ProjectionContext);
    if (alsoSeed) await applyEvents(seedLane, events, seedCtx);
    rows += count;
  };
  for (let i = 0; i < PER_READER; i += JOB) {
    const events = Array.from({ length: Math.min(JOB, PER_READER - i) }, () => issued(readers)).flat();
    await write(events, events.length * READERS, SIZES[0]! <= BASELINE_MAX);
  }
  let first: Load | undefined;
  let warm = false;
  for (const size of SIZES) {
    const filling = performance.now();
    while (rows < size) {
      const events = Array.from({ length: Math.max(1, Math.min(JOB, Math.floor((size - rows) / FILL))) }, () => issued(fillUsers.slice(0, Math.min(FILL, size - rows)))).flat();
      await write(events, events.reduce((n, e) => n + (e.data as { recipients: string[] }).recipients.length, 0), size <= BASELINE_MAX);
    }
    await admin.query(`vacuum analyze rn_bench_inbox_${run}.notifications`);
    const filled = (performance.now() - filling) / 1000;
    const reader = (i: number) => readers[i % READERS]!;
    // Warm-up, once: the pool's connections opened, the queries planned and compiled.
    if (!warm) await loadFor(Math.min(BENCH_MS, 500), READERS, (i) => Promise.all([inbox.page({ userId: reader(i), limit: LIMIT, unreadOnly: i % 2 === 0 }), inbox.unreadCount(reader(i))]));
    warm = true;
    const latest = await loadFor(BENCH_MS, READERS, (i) => inbox.page({ userId: reader(i), limit: LIMIT, unreadOnly: false }));
    const unread = await loadFor(BENCH_MS, READERS, (i) => inbox.page({ userId: reader(i), limit: LIMIT, unreadOnly: true }));
    const count = await loadFor(BENCH_MS, READERS, (i) => inbox.unreadCount(reader(i)));
    first ??= latest;
    const [load1] = loadavg();
    console.log(`size ${size} (filled in ${fixed(filled, 1)} s, load average ${fixed(load1!, 1)}):`);
    console.log(`  latest page: ${figures(latest)}; unread page: ${figures(unread)}; unread count: ${figures(count)}`);
    const ratio = (p: number) => fixed(percentile(latest.latencies, p) / percentile(first!.latencies, p));
    console.log(`  latest page / size ${SIZES[0]}: p50 ${ratio(50)}x, p99 ${ratio(99)}x`);
    if (size <= BASELINE_MAX) {
      const old = await loadFor(BENCH_MS, READERS, async (i) => {
        const docs = await notifications.find({ userId: new ObjectId(reader(i)) }, { projection: HIDDEN }).sort({ createdAt: -1, id: -1 }).limit(LIMIT).toArray();
        if (docs.length !== Math.min(LIMIT, PER_READER)) throw new Error(`old path: ${docs.length} notifications`);
      });
      console.log(`  old path (notifications collection, FerretDB): ${figures(old)}; inbox / old reads/s ${fixed(latest.perSecond / old.perSecond)}x`);
    }
  }
} finally {
  await db.dropDatabase().catch(() => {});
  await mongo.close();
  await admin.query(`drop schema if exists rn_bench_inbox_${run} cascade`).catch(() => {});
  await admin.end();
  await inbox.close();
}
