import type { Collection, Db, Document } from 'mongodb';
import type { ProjectionContext, ReadModel } from './read-model.ts';

/** Physical name of the collection a rebuild writes before it is swapped in. */
export function rebuildCollectionName(name: string): string {
  return `${name}__rebuild`;
}

/**
 * A context resolving the read model's declared logical collections through `physical`. Asking for a
 * collection the read model did not declare throws: a rebuild only knows how to rebuild and swap declared ones.
 */
export function mappedContext(db: Db, readModel: ReadModel, physical: (logical: string) => string): ProjectionContext {
  const declared = new Set(readModel.collections.map((spec) => spec.name));
  const cache = new Map<string, Collection<Document>>();
  return {
    collection<T extends Document = Document>(name: string): Collection<T> {
      let collection = cache.get(name);
      if (!collection) {
        if (!declared.has(name)) {
          throw new Error(`read model ${readModel.name} writes collection ${name} without declaring it in its collections`);
        }
        collection = db.collection(physical(name));
        cache.set(name, collection);
      }
      return collection as unknown as Collection<T>;
    },
  };
}

/** The normal context: logical name = physical name. */
export function liveContext(db: Db, readModel: ReadModel): ProjectionContext {
  return mappedContext(db, readModel, (name) => name);
}

/** The context of a rebuild: every declared collection maps to its `__rebuild` twin. */
export function rebuildContext(db: Db, readModel: ReadModel): ProjectionContext {
  return mappedContext(db, readModel, rebuildCollectionName);
}
