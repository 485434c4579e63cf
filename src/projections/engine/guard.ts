import { MongoServerError, type AnyBulkWriteOperation, type Collection, type Document, type Filter, type UpdateFilter } from 'mongodb';

/**
 * Every read-model document records in `_pos` the global position of the last event applied to it. Each
 * write is conditioned on `_pos < position`, so a redelivered or replayed event changes nothing: this is
 * what turns at-least-once delivery into an exactly-once effect.
 */
export const POSITION_FIELD = '_pos';

const DUPLICATE_KEY = 11000;

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/**
 * Inserts a document created by the event at `position`; a second delivery finds it present (same `id`) and
 * does nothing. A duplicate on any other unique key is a real error and is rethrown.
 */
export async function insertOnce<T extends Document>(
  collection: Collection<T>,
  doc: T & { id: string },
  position: number,
): Promise<boolean> {
  try {
    await collection.insertOne({ ...doc, [POSITION_FIELD]: position } as never);
    return true;
  } catch (error) {
    if (isDuplicateKey(error) && (await collection.countDocuments({ id: doc.id } as unknown as Filter<T>, { limit: 1 })) > 0) {
      return false;
    }
    throw error;
  }
}

/**
 * Read-modify-write of one document for changes the update language of both MongoDB and FerretDB cannot
 * express (FerretDB has no positional or arrayFilters updates). Safe because each read model is written by one
 * ordered lane; the `_pos` condition on the write still makes a replayed event a no-op.
 */
export async function rewriteGuarded<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  position: number,
  mutate: (doc: T) => void,
): Promise<boolean> {
  const doc = await collection.findOne(filter);
  if (!doc || (doc[POSITION_FIELD] as number) >= position) return false;
  mutate(doc as T);
  (doc as Document)[POSITION_FIELD] = position;
  const result = await collection.replaceOne({ _id: doc._id, [POSITION_FIELD]: { $lt: position } } as unknown as Filter<T>, doc as T);
  return result.modifiedCount === 1;
}

/**
 * Applies `update` to the documents matching `filter` that have not yet seen `position`. With `upsert`, a
 * missing document is created; if it exists but has already seen the event, the upsert's insert hits the
 * unique index and is treated as the no-op it is.
 */
export async function updateGuarded<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  update: UpdateFilter<T>,
  position: number,
  options: { upsert?: boolean; many?: boolean } = {},
): Promise<number> {
  const guardedFilter = { ...filter, [POSITION_FIELD]: { $lt: position } } as Filter<T>;
  const set = { ...((update.$set as Document | undefined) ?? {}), [POSITION_FIELD]: position };
  const guardedUpdate = { ...update, $set: set } as unknown as UpdateFilter<T>;
  try {
    const result = options.many
      ? await collection.updateMany(guardedFilter, guardedUpdate, { upsert: options.upsert })
      : await collection.updateOne(guardedFilter, guardedUpdate, { upsert: options.upsert });
    return result.modifiedCount + result.upsertedCount;
  } catch (error) {
    if (options.upsert && isDuplicateKey(error)) return 0;
    throw error;
  }
}

/** rewriteGuarded for every document matching `filter` (the ones that have not yet seen `position`). */
export async function rewriteEachGuarded<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  position: number,
  mutate: (doc: T) => void,
): Promise<number> {
  const guarded = { ...filter, [POSITION_FIELD]: { $lt: position } } as Filter<T>;
  let rewritten = 0;
  for await (const doc of collection.find(guarded, { projection: { _id: 1 } })) {
    if (await rewriteGuarded(collection, { _id: doc._id } as Filter<T>, position, mutate)) rewritten++;
  }
  return rewritten;
}

interface Positioned {
  position: number;
}

/**
 * Applies several events to one document in a single guarded write: reads the document's `_pos`, keeps the
 * events it has not yet seen, and writes `build(fresh)` conditioned on that exact `_pos`. One round trip pair
 * per document and batch instead of one write per event.
 */
export async function updateWithEvents<T extends Document, E extends Positioned>(
  collection: Collection<T>,
  filter: Filter<T>,
  events: readonly E[],
  build: (fresh: readonly E[]) => UpdateFilter<T>,
): Promise<boolean> {
  const only = events.length === 1 ? events[0] : undefined;
  if (only) return (await updateGuarded(collection, filter, build([only]), only.position)) > 0;
  const doc = await collection.findOne(filter, { projection: { [POSITION_FIELD]: 1 } });
  if (!doc) return false;
  const seen = (doc[POSITION_FIELD] as number | undefined) ?? 0;
  const fresh = events.filter((e) => e.position > seen);
  const last = fresh.at(-1);
  if (!last) return false;
  const update = build(fresh);
  const set = { ...((update.$set as Document | undefined) ?? {}), [POSITION_FIELD]: last.position };
  const filterSeen = { _id: doc._id, [POSITION_FIELD]: seen } as unknown as Filter<T>;
  const result = await collection.updateOne(filterSeen, { ...update, $set: set } as unknown as UpdateFilter<T>);
  return result.modifiedCount === 1;
}

/** rewriteGuarded for several events: the document is read once, each unseen event mutates it, then one write. */
export async function rewriteWithEvents<T extends Document, E extends Positioned>(
  collection: Collection<T>,
  filter: Filter<T>,
  events: readonly E[],
  mutate: (doc: T, event: E) => void,
): Promise<boolean> {
  const doc = await collection.findOne(filter);
  if (!doc) return false;
  const seen = (doc[POSITION_FIELD] as number | undefined) ?? 0;
  const fresh = events.filter((e) => e.position > seen);
  const last = fresh.at(-1);
  if (!last) return false;
  for (const event of fresh) mutate(doc as T, event);
  (doc as Document)[POSITION_FIELD] = last.position;
  const result = await collection.replaceOne({ _id: doc._id, [POSITION_FIELD]: seen } as unknown as Filter<T>, doc as T);
  return result.modifiedCount === 1;
}

/**
 * Most statements sent in one write command. FerretDB 1.24 holds a PostgreSQL connection for each statement of an
 * update command until the command ends, and commands wanting more than its pool (~50) together never end: lanes
 * write at the same time, so each stays far below it.
 */
export const MAX_STATEMENTS_PER_WRITE = 10;

/** The write errors a failed insertMany or bulkWrite reports (one or several). */
function writeErrorsOf(error: unknown): Array<{ code: number; index: number }> {
  const writeErrors = (error as { writeErrors?: Array<{ code: number; index: number }> | { code: number; index: number } }).writeErrors;
  return Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
}

/**
 * Sends `writes` in commands of at most MAX_STATEMENTS_PER_WRITE statements, unordered within each. With
 * `duplicatesAreNoOps`, a statement failing on a duplicate key (an upsert meeting the document a twin delivery
 * wrote first) is dropped and the others stand; any other error is thrown.
 */
export async function bulkWriteChunked<T extends Document>(
  collection: Collection<T>,
  writes: readonly AnyBulkWriteOperation<T>[],
  { duplicatesAreNoOps = false } = {},
): Promise<void> {
  const onlyDuplicates = (error: unknown) => {
    const errors = writeErrorsOf(error);
    return duplicatesAreNoOps && errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY);
  };
  for (let i = 0; i < writes.length; i += MAX_STATEMENTS_PER_WRITE) {
    const chunk = writes.slice(i, i + MAX_STATEMENTS_PER_WRITE);
    try {
      await collection.bulkWrite(chunk, { ordered: false });
    } catch (error) {
      if (!onlyDuplicates(error)) throw error;
      // FerretDB stops an unordered command at its first error: each statement again, alone. Those that were
      // applied match nothing now (their condition names the state they replaced) and fail as duplicates too.
      for (const write of chunk) {
        await collection.bulkWrite([write]).catch((alone: unknown) => {
          if (!onlyDuplicates(alone)) throw alone;
        });
      }
    }
  }
}

/** Reads at a time in findByIds: a few of FerretDB's ~50 PostgreSQL connections, lanes reading at the same time. */
const PARALLEL_READS = 5;

/**
 * The documents with these `_id`s (absent ones left out), each read by `_id` equality, a few at a time: the only
 * filter FerretDB 1.x pushes down to PostgreSQL (an `$in`, even on `_id`, scans the whole collection).
 */
export async function findByIds<T extends Document>(collection: Collection<T>, ids: readonly unknown[]): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < ids.length; i += PARALLEL_READS) {
    const docs = await Promise.all(ids.slice(i, i + PARALLEL_READS).map((_id) => collection.findOne({ _id } as Filter<T>)));
    for (const doc of docs) if (doc) found.push(doc as T);
  }
  return found;
}

/**
 * rewriteWithEvents for several documents, each with events of its own: the documents are read by `_id`
 * (findByIds), each event a document has not seen mutates it, and they are written back in bulk (bulkWriteChunked),
 * each replacement conditioned on the `_pos` its document was read at.
 */
export async function rewriteEachWithEvents<T extends Document, E extends Positioned>(
  collection: Collection<T>,
  groups: ReadonlyArray<{ _id: unknown; events: readonly E[] }>,
  mutate: (doc: T, event: E) => void,
): Promise<void> {
  if (groups.length === 0) return;
  const docs = await findByIds(collection, groups.map((group) => group._id));
  const byId = new Map(docs.map((doc) => [String(doc._id), doc]));
  const writes: AnyBulkWriteOperation<T>[] = [];
  for (const { _id, events } of groups) {
    const doc = byId.get(String(_id));
    if (!doc) continue;
    const seen = (doc[POSITION_FIELD] as number | undefined) ?? 0;
    const fresh = events.filter((e) => e.position > seen);
    const last = fresh.at(-1);
    if (!last) continue;
    for (const event of fresh) mutate(doc, event);
    (doc as Document)[POSITION_FIELD] = last.position;
    writes.push({ replaceOne: { filter: { _id: doc._id, [POSITION_FIELD]: seen } as Filter<T>, replacement: doc } });
  }
  await bulkWriteChunked(collection, writes);
}

/**
 * Inserts the documents created by a run of events in one round trip; documents already present (same `id`,
 * from an earlier delivery) are left as they are. Any other write error is rethrown.
 */
export async function insertManyOnce<T extends Document>(
  collection: Collection<T>,
  docs: ReadonlyArray<{ doc: T & { id: string }; position: number }>,
): Promise<void> {
  if (docs.length === 0) return;
  try {
    await collection.insertMany(docs.map(({ doc, position }) => ({ ...doc, [POSITION_FIELD]: position }) as never), { ordered: false });
  } catch (error) {
    const errors = writeErrorsOf(error);
    if (errors.length === 0 || errors.some((e) => e.code !== DUPLICATE_KEY)) throw error;
    const ids = errors.map((e) => docs[e.index]!.doc.id);
    const present = await collection.countDocuments({ id: { $in: ids } } as unknown as Filter<T>);
    if (present !== ids.length) throw error;
  }
}
