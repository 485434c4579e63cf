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
