import {
  ANY,
  BACKWARDS,
  END,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type JSONType,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../envelope.ts';
import { assertNotEmpty, SubscriptionRegistry } from './follow.ts';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
  type Subscription,
} from './port.ts';

const RESUBSCRIBE_DELAY_MS = 1000;
/** How far back readEventById looks. */
const FIND_EVENT_SCAN_LIMIT = 1000;

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
}

function wrongRevision(streamId: string, expected: ExpectedRevision, actual: bigint | typeof NO_STREAM) {
  const last = actual === NO_STREAM || actual < 0n ? 'no_stream' : Number(actual);
  return new WrongExpectedRevisionError(streamId, expected, last);
}

/**
 * Our position is the commit position. Every event of an append has its own commit position (only explicit
 * transactions, which this client cannot write, share one), and a read of $all from {commit: p, prepare: p}
 * starts at the event at p, so "after p" means: read from p and skip p itself.
 */
function readFrom(after: number): ReadPosition {
  return after === 0 ? START : { commit: BigInt(after), prepare: BigInt(after) };
}

/** Undefined for system events (type starting with `$`), which never leave this adapter. */
function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || event.type.startsWith('$')) return undefined;
  const commit = event.position?.commit ?? resolved.commitPosition;
  if (commit === undefined) throw new Error(`event ${event.id} was read without a commit position`);
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata as EventMetadata,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: Number(commit),
  };
}

export class KurrentEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly subscriptions = new SubscriptionRegistry<KurrentSubscription>();

  constructor(connectionString: string) {
    this.client = KurrentDBClient.connectionString(connectionString);
  }

  async appendToStream(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    assertNotEmpty(events);
    const data = events.map(({ id, type, data, metadata }) =>
      jsonEvent({ id, type, data: data as JSONType, metadata: metadata as JSONType }),
    );
    const result = await this.client
      .appendToStream(streamId, data, { streamState: toStreamState(expected) })
      .catch((error: unknown) => {
        if (error instanceof WrongExpectedVersionError) throw wrongRevision(streamId, expected, error.actualState);
        throw error;
      });
    // With throwOnAppendFailure=false in the connection string, a conflict is reported instead of thrown.
    if (!result.success) throw wrongRevision(streamId, expected, result.nextExpectedRevision);
    if (!result.position) throw new Error(`append to ${streamId} returned no position`);
    return { nextExpectedRevision: Number(result.nextExpectedRevision), position: Number(result.position.commit) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { direction = 'forwards', fromRevision, maxCount } = options;
    const read = this.client.readStream(streamId, {
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      fromRevision: fromRevision === undefined ? (direction === 'forwards' ? START : END) : BigInt(fromRevision),
      ...(maxCount === undefined ? {} : { maxCount }),
    });
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of read) {
        const event = toRecorded(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  /** KurrentDB indexes events by stream, not by id: the stream's newest events are scanned, newest first. */
  async readEventById(streamId: string, id: string): Promise<RecordedEvent | null> {
    const newest = await this.readStream(streamId, { direction: 'backwards', maxCount: FIND_EVENT_SCAN_LIMIT });
    return newest.find((event) => event.id === id) ?? null;
  }

  async readAll({ after = 0, maxCount = 1000 }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    if (maxCount <= 0) return events;
    for await (const resolved of this.client.readAll({ fromPosition: readFrom(after), filter: excludeSystemEvents() })) {
      const event = toRecorded(resolved);
      if (!event || event.position <= after) continue;
      events.push(event);
      if (events.length >= maxCount) break;
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = new KurrentSubscription(this.client, options);
    return this.subscriptions.track(subscription);
  }

  async headPosition(): Promise<number> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, filter: excludeSystemEvents() });
    for await (const resolved of read) {
      const event = toRecorded(resolved);
      if (event) return event.position;
    }
    return 0;
  }

  async close(): Promise<void> {
    await this.subscriptions.closeAll();
    await this.client.dispose();
  }
}

/**
 * A catch-up subscription to $all that hands each event to the handler as a batch of one, and subscribes
 * again from its checkpoint if the server drops it.
 */
class KurrentSubscription {
  private checkpoint: number;
  private current: ReturnType<KurrentDBClient['subscribeToAll']> | undefined;
  private closed = false;
  private readonly running: Promise<void>;

  constructor(
    private readonly client: KurrentDBClient,
    private readonly options: SubscribeOptions,
  ) {
    this.checkpoint = options.after;
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.current?.unsubscribe();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.follow();
      } catch (error) {
        if (this.closed) return;
        this.options.onError?.(error);
      }
      if (!this.closed) await new Promise((resolve) => setTimeout(resolve, RESUBSCRIBE_DELAY_MS));
    }
  }

  private async follow(): Promise<void> {
    this.current = this.client.subscribeToAll({ fromPosition: readFrom(this.checkpoint), filter: excludeSystemEvents() });
    for await (const resolved of this.current) {
      if (this.closed) return;
      const event = toRecorded(resolved);
      if (!event || event.position <= this.checkpoint) continue;
      await this.options.onEvents([event]);
      this.checkpoint = event.position;
    }
  }
}
