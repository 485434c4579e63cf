import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import type { RecordedEvent } from '../../events/envelope.ts';
import { insertManyOnce, POSITION_FIELD } from '../engine/guard.ts';
import type { ProjectionContext, ReadModel } from '../engine/read-model.ts';
import { asDomainEvent, type DomainEvent } from '../event-types.ts';
import { Batch, type Acked, type Deleted, type Joined, type Loaded, type Sent } from './batch.ts';
import type { MessageSeq, RevoltHeads, UserReadStates } from './documents.ts';

/** FerretDB may hold a PostgreSQL connection per statement of a batch: a few writes per round trip, one after another. */
const WRITES_PER_ROUND_TRIP = 20;

async function loadById<T extends { _id: string }>(collection: Collection<Document>, ids: Iterable<string>): Promise<Map<string, Loaded<T>>> {
  const wanted = [...new Set(ids)];
  const docs = wanted.length === 0 ? [] : ((await collection.find({ _id: { $in: wanted } } as Document).toArray()) as unknown as T[]);
  return new Map(docs.map((doc) => [doc._id, { doc, seen: (doc as unknown as Document)[POSITION_FIELD] as number, dirty: false }]));
}

/** Writes every changed document: a replace conditioned on the position it was read at, or an insert; 20 per round trip. */
async function writeBack<T extends { _id: string }>(collection: Collection<Document>, loaded: Map<string, Loaded<T>>): Promise<void> {
  const writes: AnyBulkWriteOperation<Document>[] = [];
  for (const { doc, seen, dirty } of loaded.values()) {
    if (!dirty) continue;
    writes.push(
      seen === 0
        ? { insertOne: { document: doc as unknown as Document } }
        : { replaceOne: { filter: { _id: doc._id, [POSITION_FIELD]: seen } as Document, replacement: doc as unknown as Document } },
    );
  }
  for (let i = 0; i < writes.length; i += WRITES_PER_ROUND_TRIP) {
    await collection.bulkWrite(writes.slice(i, i + WRITES_PER_ROUND_TRIP), { ordered: true });
  }
}

const isSent = (event: DomainEvent): event is Sent => event.type === 'MessageSent';
const isAcked = (event: DomainEvent): event is Acked => event.type === 'ChannelAcked';
const isJoined = (event: DomainEvent): event is Joined => event.type === 'MemberJoined';
const isDeleted = (event: DomainEvent): event is Deleted => event.type === 'MessageDeleted';

async function applyAll(recorded: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void> {
  const events = recorded.map(asDomainEvent).filter((e): e is Sent | Acked | Joined | Deleted => isSent(e) || isAcked(e) || isJoined(e) || isDeleted(e));
  if (events.length === 0) return;
  const [headsCol, seqsCol, usersCol] = [ctx.collection('revoltHeads'), ctx.collection('messageSeqs'), ctx.collection('readStates')];
  const userIds = events.flatMap((e) => (isSent(e) ? [e.data.authorId, ...e.data.mentions] : isDeleted(e) ? [] : [e.data.userId]));
  const [heads, seqs, users] = await Promise.all([
    loadById<RevoltHeads>(headsCol, events.filter((e) => !isAcked(e)).map((e) => e.data.revoltId)),
    loadById<MessageSeq>(seqsCol, events.flatMap((e) => (isJoined(e) ? [] : [e.data.messageId]))),
    loadById<UserReadStates>(usersCol, userIds),
  ]);
  const batch = new Batch(heads, new Map([...seqs].map(([id, { doc }]) => [id, doc])), users);
  for (const event of events) {
    if (isSent(event)) batch.sent(event);
    else if (isAcked(event)) batch.acked(event);
    else if (isDeleted(event)) batch.deleted(event);
    else batch.joined(event);
  }
  // Message counters first, revolt heads last: a read state is computed from counters never ahead of it, so a
  // batch redelivered after a crash between these writes recomputes exactly what it wrote before.
  await insertManyOnce(seqsCol, batch.newSeqs);
  await writeBack(usersCol, users);
  await writeBack(headsCol, heads);
}

/**
 * `readStates`: unread and mention counts per user and channel (see documents.ts). One ordered lane; each batch
 * reads the documents it touches by `_id`, applies its events in order to those that have not seen them (each
 * document's `_pos`), and writes each changed document once, so redelivery and replay change nothing and a
 * rebuild from position 0 gives the same documents.
 */
export const readStatesReadModel: ReadModel = {
  name: 'readStates',
  collections: [
    { name: 'readStates', indexes: [] },
    { name: 'revoltHeads', indexes: [] },
    { name: 'messageSeqs', indexes: [{ key: { id: 1 }, options: { unique: true } }] },
  ],
  applyBatch: applyAll,
  apply: (event, ctx) => applyAll([event], ctx),
};
