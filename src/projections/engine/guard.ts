import { MongoServerError, type Collection, type Document, type Filter, type UpdateFilter } from 'mongodb';

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
    const writeErrors = (error as { writeErrors?: Array<{ code: number; index: number }> | { code: number; index: number } }).writeErrors;
    const errors = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (errors.length === 0 || errors.some((e) => e.code !== DUPLICATE_KEY)) throw error;
    const ids = errors.map((e) => docs[e.index]!.doc.id);
    const present = await collection.countDocuments({ id: { $in: ids } } as unknown as Filter<T>);
    if (present !== ids.length) throw error;
  }
}
