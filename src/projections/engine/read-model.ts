import type { Collection, CreateIndexesOptions, Document, IndexSpecification } from 'mongodb';
import type { EventCatalogue } from '../../events/catalogue.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { LaneFamily } from './family.ts';

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
 * One read model = one ordered lane. `apply` is called for every event, in global position order, in its
 * current schema version (see upcasting); it must be idempotent per document, by guarding each write with the
 * event position (see guard.ts), because delivery is at-least-once.
 */
export interface ReadModel {
  name: string;
  /** None for a lane whose effects lie elsewhere (a reactor's commands): its rebuild is then a replay from 0. */
  collections: CollectionSpec[];
  /** Where its lane starts when first seen, when not where its family's lanes do (a reactor whose memory needs the history). */
  startsAt?: LaneFamily['startsAt'];
  apply(event: RecordedEvent, ctx: ProjectionContext): Promise<void>;
  /**
   * Optional: applies consecutive events at once, with exactly the effect of calling `apply` on each in order
   * (typically one guarded write per document instead of one per event). The lane and the rebuild use it when
   * present; a failure is reported against the batch's first event.
   */
  applyBatch?(events: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void>;
  /**
   * Optional, for a read model whose rows live outside the read-model database (the PostgreSQL ones): empties them,
   * so that a rebuild's replay from 0 starts from nothing (their rows are emptied in place, not swapped in: readers
   * see the read model refill while it rebuilds, and its lane's position says how far it is).
   */
  reset?(): Promise<void>;
}

/** Applies events through the read model, in batches when it supports them. */
export async function applyEvents(readModel: ReadModel, events: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void> {
  if (readModel.applyBatch) {
    if (events.length > 0) await readModel.applyBatch(events, ctx);
    return;
  }
  for (const event of events) await readModel.apply(event, ctx);
}

/** The read model fed every event in its current schema version: how the engine hands events to handlers. */
export function upcasting(readModel: ReadModel, catalogue: EventCatalogue): ReadModel {
  const { applyBatch } = readModel;
  return {
    ...readModel,
    apply: (event, ctx) => readModel.apply(catalogue.upcast(event), ctx),
    ...(applyBatch && { applyBatch: (events, ctx) => applyBatch.call(readModel, events.map((event) => catalogue.upcast(event)), ctx) }),
  };
}
