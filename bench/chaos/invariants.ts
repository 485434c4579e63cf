// What must hold after every chaos phase: nothing acknowledged lost or applied twice, every read model (MongoDB and
// PostgreSQL) equal to a rebuild from position 0, donation totals equal to their events with the hash chain intact.
import { MongoClient, type Db, type Document } from 'mongodb';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/events/store/port.ts';
import { liveContext } from '../../src/projections/engine/context.ts';
import { createSpecIndexes } from '../../src/projections/engine/indexes.ts';
import { applyEvents, upcasting, type ProjectionContext, type ReadModel } from '../../src/projections/engine/read-model.ts';
import { openChannelHistory } from '../../src/projections/history/channel-history.ts';
import { historyLocation } from '../../src/projections/history/schema.ts';
import { openInbox } from '../../src/projections/inbox/inbox.ts';
import { inboxLocation } from '../../src/projections/inbox/schema.ts';
import type { PostgresLocation } from '../../src/projections/postgres.ts';
import { readModels } from '../../src/projections/read-models.ts';
import { openMessageSearch } from '../../src/projections/search/message-search.ts';
import { searchLocation } from '../../src/projections/search/schema.ts';
import { verifyFinancialChains } from '../../src/reports/audit/verify.ts';
import type { Acknowledged } from './load.ts';

export async function readEverything(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: events.at(-1)?.position ?? 0, maxCount: 5000 });
    if (page.length === 0) return events;
    events.push(...page);
  }
}

/** The identity of the event each acknowledged command must have appended, or null for an answer that appends none. */
function witness(ack: Acknowledged): string {
  const r = ack.resource;
  switch (ack.kind) {
    case 'register':
      return `UserRegistered:${r.userId}`;
    case 'message':
      return `MessageSent:${r.messageId}`;
    case 'reaction':
      return `ReactionAdded:${r.messageId}:${r.userId}:${r.emoji}`;
    case 'join':
      return `MemberJoined:${r.revoltId}:${r.userId}`;
    case 'pledge':
      return `DonationPledged:${r.donationId}`;
    case 'webhook':
      return `DonationCompleted:${r.donationId}`;
    case 'voice':
      return `VoiceParticipantJoined:${r.sessionId}:${r.userId}`;
  }
}

function identityOf(event: RecordedEvent): string | null {
  const d = event.data as Record<string, string>;
  switch (event.type) {
    case 'UserRegistered':
      return `UserRegistered:${d.userId}`;
    case 'MessageSent':
      return `MessageSent:${d.messageId}`;
    case 'ReactionAdded':
      return `ReactionAdded:${d.messageId}:${d.userId}:${d.emoji}`;
    case 'MemberJoined':
      return `MemberJoined:${d.revoltId}:${d.userId}`;
    case 'DonationPledged':
      return `DonationPledged:${d.donationId}`;
    case 'DonationCompleted':
      return `DonationCompleted:${d.donationId}`;
    case 'VoiceParticipantJoined':
      return `VoiceParticipantJoined:${d.sessionId}:${d.userId}`;
    default:
      return null;
  }
}

export interface StoreCheck {
  lost: string[];
  duplicated: string[];
}

/** Every acknowledged command's event is in the store exactly once, at or before the position its answer gave. */
export function checkAcknowledged(acknowledged: readonly Acknowledged[], events: readonly RecordedEvent[]): StoreCheck {
  const found = new Map<string, number[]>();
  for (const event of events) {
    const id = identityOf(event);
    if (id) found.set(id, [...(found.get(id) ?? []), event.position]);
  }
  const lost: string[] = [];
  const duplicated: string[] = [];
  for (const ack of acknowledged) {
    const id = witness(ack);
    const positions = found.get(id) ?? [];
    if (positions.length === 0 || (ack.position > 0 && positions[0]! > ack.position)) lost.push(`${id} (key ${ack.key}, answered position ${ack.position})`);
    else if (positions.length > 1) duplicated.push(`${id} at positions ${positions.join(', ')}`);
  }
  return { lost, duplicated };
}

const byId = (a: Document, b: Document) => String(a._id).localeCompare(String(b._id));

async function documents(db: Db, collection: string): Promise<Document[]> {
  return (await db.collection(collection).find({}).toArray()).sort(byId);
}

/**
 * Replays every event into a scratch database through each read model (as `npm run projections -- rebuild` does) and
 * compares document by document with the live read models. Returns the differences, one line per collection.
 */
export async function compareWithRebuild(mongoUrl: string, events: readonly RecordedEvent[]): Promise<{ differences: string[]; documents: number }> {
  const client = await MongoClient.connect(mongoUrl, { maxPoolSize: 5, serverSelectionTimeoutMS: 10_000 });
  const live = client.db();
  const scratch = client.db(`${live.databaseName}_rebuild`);
  const catalogue = buildEventCatalogue();
  const differences: string[] = [];
  let compared = 0;
  try {
    await scratch.dropDatabase();
    for (const readModel of readModels) {
      for (const spec of readModel.collections) await createSpecIndexes(scratch.collection(spec.name), spec);
      const upcast = upcasting(readModel, catalogue);
      const ctx = liveContext(scratch, upcast);
      for (let i = 0; i < events.length; i += 500) await applyEvents(upcast, events.slice(i, i + 500), ctx);
      for (const spec of readModel.collections) {
        const [expected, actual] = await Promise.all([documents(scratch, spec.name), documents(live, spec.name)]);
        compared += expected.length;
        if (!isDeepStrictEqual(expected, actual)) differences.push(`${spec.name}: ${describeDifference(expected, actual, (doc) => String(doc._id))}`);
      }
    }
  } finally {
    await scratch.dropDatabase().catch(() => {});
    await client.close();
  }
  return { differences, documents: compared };
}

type Rows = Array<Record<string, unknown>>;

/** What the check needs of a PostgreSQL read model (MessageSearch, ChannelHistory, Inbox): its lane and its rows in key order. */
interface PostgresReadModel {
  readonly readModel: ReadModel;
  rows(): Promise<Rows | Record<string, Rows>>;
  close(): Promise<void>;
}

/** The PostgreSQL read models where src/server.ts places them beside a PostgreSQL event store (no SEARCH_URL etc. set). */
function postgresReadModels(eventStoreUrl: string): Array<{ location: PostgresLocation; open(location: PostgresLocation): Promise<PostgresReadModel> }> {
  return [
    { location: searchLocation(undefined, eventStoreUrl), open: openMessageSearch },
    { location: historyLocation(undefined, undefined, eventStoreUrl), open: openChannelHistory },
    { location: inboxLocation(undefined, eventStoreUrl), open: openInbox },
  ];
}

/** Each table of the read model by name (`search`, `history`, `inbox.notifications`, `inbox.unread`). */
async function tablesOf(model: PostgresReadModel): Promise<Record<string, Rows>> {
  const rows = await model.rows();
  const name = model.readModel.name;
  return Array.isArray(rows) ? { [name]: rows } : Object.fromEntries(Object.entries(rows).map(([table, each]) => [`${name}.${table}`, each]));
}

async function dropSchema({ connectionString, schema }: PostgresLocation): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
  } finally {
    await client.end();
  }
}

/** These read models write through their own pools, never through the context. */
const UNUSED_CONTEXT = {} as ProjectionContext;

/**
 * The same for the PostgreSQL read models (search, channel history, notification inbox): every event replayed into a
 * scratch schema beside each live one (`<schema>_rebuild`), then every row compared, every column, in key order.
 */
export async function comparePostgresWithRebuild(eventStoreUrl: string, events: readonly RecordedEvent[]): Promise<{ differences: string[]; rows: number }> {
  const catalogue = buildEventCatalogue();
  const differences: string[] = [];
  let compared = 0;
  for (const { location, open } of postgresReadModels(eventStoreUrl)) {
    const scratchLocation = { ...location, schema: `${location.schema}_rebuild` };
    await dropSchema(scratchLocation);
    const [live, scratch] = await Promise.all([open(location), open(scratchLocation)]);
    try {
      const upcast = upcasting(scratch.readModel, catalogue);
      for (let i = 0; i < events.length; i += 500) await applyEvents(upcast, events.slice(i, i + 500), UNUSED_CONTEXT);
      const [expected, actual] = await Promise.all([tablesOf(scratch), tablesOf(live)]);
      for (const [table, rebuilt] of Object.entries(expected)) {
        compared += rebuilt.length;
        const liveRows = actual[table] ?? [];
        if (!isDeepStrictEqual(rebuilt, liveRows)) differences.push(`${table}: ${describeDifference(rebuilt, liveRows, (row) => String(row.id ?? row.user_id))}`);
      }
    } finally {
      await Promise.allSettled([live.close(), scratch.close()]);
      await dropSchema(scratchLocation).catch(() => {});
    }
  }
  return { differences, rows: compared };
}

function describeDifference<T>(expected: T[], actual: T[], keyOf: (row: T) => string): string {
  const live = new Map(actual.map((doc) => [keyOf(doc), doc]));
  const rebuilt = new Map(expected.map((doc) => [keyOf(doc), doc]));
  const missing = [...rebuilt.keys()].filter((id) => !live.has(id));
  const extra = [...live.keys()].filter((id) => !rebuilt.has(id));
  const changed = [...rebuilt.keys()].filter((id) => live.has(id) && !isDeepStrictEqual(rebuilt.get(id), live.get(id)));
  const first = changed[0];
  const sample = first ? ` e.g. ${first}: rebuilt ${JSON.stringify(rebuilt.get(first)).slice(0, 300)} live ${JSON.stringify(live.get(first)).slice(0, 300)}` : '';
  return `${missing.length} missing, ${extra.length} extra, ${changed.length} differ${sample}`;
}

/** stats.totalDonations of each revolt equals completed minus refunded amounts of its events; the chains verify. */
export async function checkDonations(mongoUrl: string, store: EventStore, events: readonly RecordedEvent[]): Promise<string[]> {
  const revoltOf = new Map<string, string>();
  const expected = new Map<string, number>();
  for (const event of events) {
    const d = event.data as Record<string, any>;
    if (event.type === 'DonationPledged') revoltOf.set(d.donationId, d.revoltId);
    const sign = event.type === 'DonationCompleted' ? 1 : event.type === 'DonationRefunded' ? -1 : 0;
    if (sign !== 0) {
      const revoltId = d.revoltId ?? revoltOf.get(d.donationId);
      expected.set(revoltId, (expected.get(revoltId) ?? 0) + sign * d.amount);
    }
  }
  const problems: string[] = [];
  const client = await MongoClient.connect(mongoUrl, { maxPoolSize: 2, serverSelectionTimeoutMS: 10_000 });
  try {
    for (const [revoltId, total] of expected) {
      const revolt = await client.db().collection('revolts').findOne({ id: revoltId });
      if (revolt?.stats?.totalDonations !== total) problems.push(`revolt ${revoltId}: stats.totalDonations ${revolt?.stats?.totalDonations} ≠ ${total} from its events`);
    }
  } finally {
    await client.close();
  }
  const chains = await verifyFinancialChains(store);
  if (!chains.ok) problems.push(`hash chain broken: ${JSON.stringify(chains.broken).slice(0, 500)}`);
  return problems;
}
