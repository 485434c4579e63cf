import type { EventToAppend, RecordedEvent } from '../envelope.ts';

/**
 * What the appender believes about the stream: `any` (no check), `no_stream` (must not exist yet),
 * `stream_exists` (must have at least one event) or the exact revision of its last event.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last appended event (0-based). */
  nextExpectedRevision: number;
  /** Global position of the last appended event. */
  position: number;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or 'no_stream'. */
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive start revision; defaults to the first (forwards) or last (backwards) event. */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this global position. 0 means from the beginning. */
  after?: number;
  maxCount?: number;
}

export interface Subscription {
  /** Stops the subscription; resolves once no handler call is in flight. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: the subscriber receives events with position greater than this. */
  after: number;
  /** Called with batches of events in position order; the next batch is not delivered until it resolves. */
  onEvents(events: RecordedEvent[]): Promise<void>;
  onError?(error: unknown): void;
  /** Largest batch handed to onEvents. */
  batchSize?: number;
}

/**
 * The event store port. Every adapter (PostgreSQL, KurrentDB, memory) passes the same contract suite in
 * test/events/store/contract.ts. Invariants:
 * - an append is atomic: all events of the batch or none;
 * - global positions strictly increase in the order in which readAll and subscribeToAll deliver events;
 * - readAll and subscriptions never skip an event that becomes visible later (no gaps under concurrent writers).
 */
export interface EventStore {
  appendToStream(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** An absent stream reads as []. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * The event of `streamId` with this id, or null: how a retried command recognises an append it already made.
   * On KurrentDB only the stream's newest 1,000 events are searched: a retry comes soon after its first attempt.
   */
  readEventById(streamId: string, id: string): Promise<RecordedEvent | null>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catches up from the checkpoint, then follows live appends. */
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Global position of the newest visible event (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}
