import type { Collection, CreateIndexesOptions, Document, IndexSpecification } from 'mongodb';
import type { RecordedEvent } from '../../events/envelope.ts';

export interface IndexSpec {
  key: IndexSpecification;
  options?: CreateIndexesOptions;
}

export interface CollectionSpec {
  /** Logical (public) collection name, e.g. `messages`. */
  name: string;
  indexes: IndexSpec[];
}

/**
 * Resolves a logical collection name to the physical collection the handler must write: the live one
 * normally, a fresh one during a rebuild.
 */
export interface ProjectionContext {
  collection<T extends Document = Document>(name: string): Collection<T>;
}

/**
 * One read model = one ordered lane. `apply` is called for every event, in global position order, exactly
 * as the event store delivers them; it must be idempotent per document, by guarding each write with the
 * event position (see guard.ts), because delivery is at-least-once.
 */
export interface ReadModel {
  name: string;
  collections: CollectionSpec[];
  apply(event: RecordedEvent, ctx: ProjectionContext): Promise<void>;
}
