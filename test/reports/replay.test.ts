import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import type { EventStore } from '../../src/events/store/port.ts';
import { resolveAsOf } from '../../src/reports/engine/as-of.ts';
import { runReport, type ReplaySource, type ReportRun } from '../../src/reports/engine/replay.ts';
import { MongoSnapshotStore } from '../../src/reports/engine/snapshots.ts';
import { renderReport, type ReportFormat } from '../../src/reports/formats/index.ts';
import { financial } from '../../src/reports/financial/accumulator.ts';
import { userActivityReport } from '../../src/reports/user-activity/report-accumulator.ts';
import { MONGO_URL } from '../support/engines.ts';
import { makeStore } from '../events/store/postgres-support.ts';
import { completed, joined, log, message, pledged, R1, refunded, registered, revoltCreated, U1, U2 } from './history.ts';

let store: EventStore;
let cleanup: () => Promise<void>;
let mongo: MongoClient;
let db: Db;
const catalogue = buildEventCatalogue();
const upcast = catalogue.upcast.bind(catalogue);

/** Appends hand-written events (their times as written), each batch to a stream of its own. */
async function append(events: ReturnType<typeof log>) {
  for (const e of events) await store.appendToStream(`report-test-${randomUUID()}`, [{ id: randomUUID(), type: e.type, data: e.data, metadata: e.metadata }], 'any');
}

const bytes = (run: ReportRun, format: ReportFormat) => [...renderReport(run, format, { timeAxis: true })].join('');

beforeAll(async () => {
  ({ store, cleanup } = await makeStore());
  mongo = await MongoClient.connect(MONGO_URL, { maxPoolSize: 3 });
  db = mongo.db(`t_reports_${randomUUID().slice(0, 8)}`);
  await append(log(
    registered(U1, 'ada'), registered(U2, 'bob'), revoltCreated(R1, 'Alpha', true), joined(R1, U1), joined(R1, U2),
    message(R1, U1), message(R1, U2), pledged('d1', R1, U2, 800), completed('d1', R1, U2, 800),
  ));
});
afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
  await cleanup?.();
});

describe('the report engine on the PostgreSQL store', () => {
  it('as of an earlier position, a report does not change when later events are appended', async () => {
    const source: ReplaySource = { store, upcast };
    const asOf = await store.headPosition();
    const before = await runReport(source, userActivityReport, { bucket: 'day' }, asOf, { batchSize: 3 });
    await append(log(message(R1, U1), refunded('d1', R1, U2, 300), message(R1, U2)));
    const after = await runReport(source, userActivityReport, { bucket: 'day' }, asOf, { batchSize: 3 });
    const head = await runReport(source, userActivityReport, { bucket: 'day' }, await store.headPosition(), { batchSize: 3 });
    for (const format of ['json', 'csv', 'html'] as const) expect(bytes(after, format)).toBe(bytes(before, format));
    expect(bytes(head, 'json')).not.toBe(bytes(before, 'json'));
    expect(head.body.tables[0]!.rows.map((r) => [r.messagesSent, r.totalDonated])).toEqual([[2, 0], [2, 500]]);
    expect(before.asOfPosition).toBe(asOf);
  });

  it('an as-of time is the last event recorded at or before it', async () => {
    const events = await store.readAll({ maxCount: 100 });
    const third = events[2]!;
    expect(await resolveAsOf(store, { time: third.metadata.occurredAt })).toBe(third.position);
    expect(await resolveAsOf(store, { time: new Date(Date.parse(third.metadata.occurredAt) + 1).toISOString() })).toBe(third.position);
    expect(await resolveAsOf(store, { time: '2000-01-01T00:00:00.000Z' })).toBe(0);
    expect(await resolveAsOf(store, { time: '2999-01-01T00:00:00.000Z' })).toBe(await store.headPosition());
    expect(await resolveAsOf(store, { position: 10 ** 9 })).toBe(await store.headPosition());
  });

  it('a snapshot lets a later as-of replay only the tail, with the same bytes as a cold replay', async () => {
    const snapshots = new MongoSnapshotStore(db);
    const head = await store.headPosition();
    const filters = { bucket: 'week' as const };
    const warm = await runReport({ store, upcast, snapshots }, financial, filters, head - 2, { batchSize: 2, snapshotEvery: 4 });
    expect(warm.replay.fromPosition).toBe(0);
    const fromSnapshot = await runReport({ store, upcast, snapshots }, financial, filters, head, { batchSize: 2, snapshotEvery: 1000 });
    const cold = await runReport({ store, upcast }, financial, filters, head, { batchSize: 2 });
    expect(fromSnapshot.replay.fromPosition).toBeGreaterThan(0);
    expect(fromSnapshot.replay.events).toBeLessThan(cold.replay.events);
    expect(bytes(fromSnapshot, 'json')).toBe(bytes(cold, 'json'));
    // Other filters never resume from these snapshots.
    const otherFilters = await runReport({ store, upcast, snapshots }, financial, { bucket: 'month' }, head, { batchSize: 2 });
    expect(otherFilters.replay.fromPosition).toBe(0);
  });
});
