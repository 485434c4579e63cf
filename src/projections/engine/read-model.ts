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
  /**
   * Optional: applies consecutive events at once, with exactly the effect of calling `apply` on each in order
   * (typically one guarded write per document instead of one per event). The lane and the rebuild use it when
   * present; a failure is reported against the batch's first event.
   */
  applyBatch?(events: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void>;
}

/** Applies events through the read model, in batches when it supports them. */
export async function applyEvents(readModel: ReadModel, events: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void> {
  if (readModel.applyBatch) {
    if (events.length > 0) await readModel.applyBatch(events, ctx);
    return;
  }
  for (const event of events) await readModel.apply(event, ctx);
}
