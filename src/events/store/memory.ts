import type { EventToAppend, RecordedEvent } from '../envelope.ts';
import { assertNotEmpty, Follower } from './follow.ts';
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


/** Throws when `expected` does not hold for a stream whose last revision is `actual`. */
function checkExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number | 'no_stream'): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 'no_stream') ||
    (expected === 'stream_exists' && actual !== 'no_stream') ||
    expected === actual;
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}

export class MemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly followers = new Set<Follower>();

  async appendToStream(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    assertNotEmpty(events);
    const stream = this.streams.get(streamId) ?? [];
    checkExpectedRevision(streamId, expected, stream.length === 0 ? 'no_stream' : stream.length - 1);
    const recorded = events.map((event, i) => ({
      ...structuredClone(event),
      streamId,
      revision: stream.length + i,
      position: this.all.length + i + 1,
    }));
    stream.push(...recorded);
    this.streams.set(streamId, stream);
    this.all.push(...recorded);
    for (const follower of this.followers) follower.wake();
    const last = recorded.at(-1)!;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const stream = this.streams.get(streamId) ?? [];
    const { direction = 'forwards', fromRevision, maxCount = Infinity } = options;
    const selected =
      direction === 'forwards'
        ? stream.slice(fromRevision ?? 0)
        : stream.slice(0, (fromRevision ?? stream.length - 1) + 1).reverse();
    return structuredClone(selected.slice(0, maxCount));
  }

  async readEventById(streamId: string, id: string): Promise<RecordedEvent | null> {
    const event = this.streams.get(streamId)?.find((candidate) => candidate.id === id);
    return event ? structuredClone(event) : null;
  }

  async readAll({ after = 0, maxCount = 1000 }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    // Positions are 1-based and dense here, so the event at position p sits at index p - 1.
    return structuredClone(this.all.slice(after, after + maxCount));
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const follower = new Follower((after, maxCount) => this.readAll({ after, maxCount }), options);
    this.followers.add(follower);
    follower.wake();
    return {
      close: async () => {
        this.followers.delete(follower);
        await follower.close();
      },
    };
  }

  async headPosition(): Promise<number> {
    return this.all.length;
  }

  async close(): Promise<void> {
    await Promise.all([...this.followers].map((follower) => follower.close()));
    this.followers.clear();
  }
}
