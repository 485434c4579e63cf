import type { Collection, Db } from 'mongodb';
import type { CollectionSpec, ReadModel } from './read-model.ts';

/** Creates the spec's indexes on `collection` (createIndex is idempotent for an identical definition). */
export async function createSpecIndexes(collection: Collection, spec: CollectionSpec): Promise<void> {
  for (const index of spec.indexes) {
    await collection.createIndex(index.key, index.options ?? {});
  }
}

/** Creates every declared index of every read model on its live collection. Run at start-up. */
export async function ensureIndexes(db: Db, readModels: readonly ReadModel[]): Promise<void> {
  for (const readModel of readModels) {
    for (const spec of readModel.collections) {
      await createSpecIndexes(db.collection(spec.name), spec);
    }
  }
}
