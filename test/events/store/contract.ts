import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../../../src/events/envelope.ts';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type ExpectedRevision,
  type SubscribeOptions,
} from '../../../src/events/store/port.ts';

function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actorId: 'user-1',
    occurredAt: new Date().toISOString(),
    schemaVersion: 1,
    ...overrides,
  };
}

function newEvent(data: unknown = { n: 1 }, type = 'Tested'): EventToAppend {
  return { id: randomUUID(), type, data, metadata: metadata() };
}

function events(count: number, tag = 'e'): EventToAppend[] {
  return Array.from({ length: count }, (_, i) => newEvent({ tag, i }, `Tested${i}`));
}

/** Stream names are unique per call, so the suite also runs against a store that other tests share. */
function streamName(prefix = 'contract'): string {
  return `${prefix}-${randomUUID()}`;
}

async function until(condition: () => boolean, what: string, timeoutMs = 4_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** For the tests that drive many concurrent appends; the machine running them may be busy. */
const SLOW_TEST_MS = 30_000;

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectIncreasing(positions: number[]): void {
  positions.slice(1).forEach((position, i) => expect(position).toBeGreaterThan(positions[i]!));
}

async function rejection(promise: Promise<unknown>): Promise<WrongExpectedRevisionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  return error as WrongExpectedRevisionError;
}

/**
 * Collects what a subscription delivers (only events of streams starting with `prefix`), and fails the test if
 * the store ever runs two handler calls at once.
 */
function collector(prefix: string) {
  const received: RecordedEvent[] = [];
  let inFlight = 0;
  let overlapped = false;
  const onEvents: SubscribeOptions['onEvents'] = async (batch) => {
    inFlight += 1;
    overlapped ||= inFlight > 1;
    // Yielding lets a store that does not wait for the handler show it.
    await settle(Math.random() < 0.1 ? 2 : 0);
    received.push(...batch.filter((event) => event.streamId.startsWith(prefix)));
    inFlight -= 1;
  };
  return { received, onEvents, overlapped: () => overlapped };
}

/**
 * The behaviour every EventStore adapter must show. `makeStore` gives a store and its cleanup (which closes the
 * store and removes what the suite wrote, where it can).
 */
export function eventStoreContract(
  name: string,
  makeStore: () => Promise<{ store: EventStore; cleanup(): Promise<void> }>,
): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await makeStore());
    });

    afterAll(async () => {
      await cleanup?.();
    });

    it('appends events and reads them back', async () => {
      const stream = streamName();
      const appended = [newEvent({ a: 1 }, 'First'), newEvent([1, [2, 3]], 'Second'), newEvent('text', 'Third')];

      const result = await store.appendToStream(stream, appended, 'no_stream');
      const read = await store.readStream(stream);

      expect(read.map(({ id, type, data, metadata }) => ({ id, type, data, metadata }))).toEqual(appended);
      expect(read.map((e) => e.streamId)).toEqual([stream, stream, stream]);
      expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
      expectIncreasing(read.map((e) => e.position));
      expect(result).toEqual({ nextExpectedRevision: 2, position: read[2]!.position });
    });

    it('keeps stored events apart from the objects passed in and read out', async () => {
      const stream = streamName();
      const appended = newEvent({ list: [1] });
      await store.appendToStream(stream, [appended], 'no_stream');
      (appended.data as { list: number[] }).list.push(2);
      const [read] = await store.readStream(stream);
      (read!.data as { list: number[] }).list.push(3);
      read!.metadata.actorId = 'someone-else';

      const [again] = await store.readStream(stream);
      expect(again!.data).toEqual({ list: [1] });
      expect(again!.metadata.actorId).toBe('user-1');
    });

    it('rejects an empty append', async () => {
      await expect(store.appendToStream(streamName(), [], 'any')).rejects.toThrow(RangeError);
    });

    describe('expected revision', () => {
      /** A stream with `length` events (none: absent). */
      async function streamOf(length: number): Promise<string> {
        const stream = streamName();
        if (length > 0) await store.appendToStream(stream, events(length), 'no_stream');
        return stream;
      }

      const accepted: Array<[string, number, ExpectedRevision]> = [
        ['any on an absent stream', 0, 'any'],
        ['any on an existing stream', 2, 'any'],
        ['no_stream on an absent stream', 0, 'no_stream'],
        ['stream_exists on an existing stream', 1, 'stream_exists'],
        ['the exact last revision', 3, 2],
      ];
      it.each(accepted)('accepts %s', async (_, length, expected) => {
        const stream = await streamOf(length);
        const result = await store.appendToStream(stream, [newEvent()], expected);
        expect(result.nextExpectedRevision).toBe(length);
        expect(await store.readStream(stream)).toHaveLength(length + 1);
      });

      const rejected: Array<[string, number, ExpectedRevision, number | 'no_stream']> = [
        ['no_stream on an existing stream', 2, 'no_stream', 1],
        ['stream_exists on an absent stream', 0, 'stream_exists', 'no_stream'],
        ['a revision on an absent stream', 0, 0, 'no_stream'],
        ['a revision behind the stream', 3, 1, 2],
        ['a revision ahead of the stream', 3, 5, 2],
      ];
      it.each(rejected)('rejects %s, reporting the actual revision and appending nothing', async (_, length, expected, actual) => {
        const stream = await streamOf(length);
        const before = await store.readStream(stream);
        const head = await store.headPosition();

        const error = await rejection(store.appendToStream(stream, events(3), expected));

        expect(error).toMatchObject({ streamId: stream, expected, actual, code: 'WRONG_EXPECTED_REVISION' });
        expect(await store.readStream(stream)).toEqual(before);
        expect(await store.readAll({ after: head })).toEqual([]);
      });
    });

    it('appends a batch atomically: readers never see part of one, and batches do not interleave', async () => {
      const stream = streamName();
      const head = await store.headPosition();
      const batches = Array.from({ length: 12 }, (_, b) => events(5, `batch-${b}`));
      const observedLengths: number[] = [];
      let writing = true;
      const reader = (async () => {
        while (writing) {
          observedLengths.push((await store.readStream(stream)).length);
          await settle(0);
        }
      })();

      await Promise.all(batches.map((batch) => store.appendToStream(stream, batch, 'any')));
      writing = false;
      await reader;

      expect(observedLengths.filter((length) => length % 5 !== 0)).toEqual([]);
      const written = await store.readStream(stream);
      expect(written).toHaveLength(60);
      const all = (await store.readAll({ after: head, maxCount: 1000 })).filter((e) => e.streamId === stream);
      expect(all.map((e) => e.id)).toEqual(written.map((e) => e.id));
      for (let start = 0; start < written.length; start += 5) {
        const slice = written.slice(start, start + 5);
        const tag = (slice[0]!.data as { tag: string }).tag;
        expect(slice.map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((i) => ({ tag, i })));
      }
    }, SLOW_TEST_MS);

    it('lets exactly one of several concurrent appends at the same expected revision win', async () => {
      const stream = streamName();
      await store.appendToStream(stream, [newEvent()], 'no_stream');
      const contenders = Array.from({ length: 8 }, () => events(2, 'contender'));

      const results = await Promise.allSettled(contenders.map((batch) => store.appendToStream(stream, batch, 0)));

      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [contenders[i]!] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ expected: 0, actual: 2 });
      }
      const read = await store.readStream(stream);
      expect(read.slice(1).map((e) => e.id)).toEqual(winners[0]!.map((e) => e.id));
    });

    it('lets exactly one of several concurrent no_stream appends create the stream', async () => {
      const stream = streamName();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.appendToStream(stream, [newEvent()], 'no_stream')),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    describe('reading a stream', () => {
      let stream: string;
      const revisions = (read: RecordedEvent[]) => read.map((e) => e.revision);

      beforeAll(async () => {
        stream = streamName();
        await store.appendToStream(stream, events(5), 'no_stream');
      });

      it('reads forwards from a revision, up to maxCount', async () => {
        expect(revisions(await store.readStream(stream, { fromRevision: 2 }))).toEqual([2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 1, maxCount: 2 }))).toEqual([1, 2]);
        expect(revisions(await store.readStream(stream, { maxCount: 1 }))).toEqual([0]);
        expect(await store.readStream(stream, { fromRevision: 5 })).toEqual([]);
      });

      it('reads backwards, from the end or from a revision', async () => {
        const backwards = await store.readStream(stream, { direction: 'backwards' });
        expect(revisions(backwards)).toEqual([4, 3, 2, 1, 0]);
        expect(backwards).toEqual((await store.readStream(stream)).reverse());
        expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 }))).toEqual([3, 2]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))).toEqual([4]);
      });

      it('reads an absent stream as []', async () => {
        expect(await store.readStream(streamName('absent'))).toEqual([]);
        expect(await store.readStream(streamName('absent'), { direction: 'backwards' })).toEqual([]);
      });
    });

    it('finds an event of a stream by its id, and nothing under another stream or id', async () => {
      const [stream, other] = [streamName(), streamName()];
      const appended = events(3);
      await store.appendToStream(stream, appended, 'no_stream');
      await store.appendToStream(other, events(1), 'no_stream');

      const found = await store.readEventById(stream, appended[1]!.id);
      expect(found).toEqual((await store.readStream(stream))[1]);
      expect(found).toMatchObject({ id: appended[1]!.id, streamId: stream, revision: 1, type: 'Tested1' });
      expect(await store.readEventById(other, appended[1]!.id)).toBeNull();
      expect(await store.readEventById(stream, randomUUID())).toBeNull();
      expect(await store.readEventById(streamName('absent'), randomUUID())).toBeNull();
    });

    it('reads all streams after a position, up to maxCount', async () => {
      const head = await store.headPosition();
      const [a, b] = [streamName(), streamName()];
      await store.appendToStream(a, events(2, 'a'), 'no_stream');
      await store.appendToStream(b, events(2, 'b'), 'no_stream');
      await store.appendToStream(a, events(1, 'a'), 1);
      const expected = [...(await store.readStream(a)).slice(0, 2), ...(await store.readStream(b)), ...(await store.readStream(a)).slice(2)];

      const first = await store.readAll({ after: head, maxCount: 3 });
      const rest = await store.readAll({ after: first.at(-1)!.position, maxCount: 10 });

      expect(first).toEqual(expected.slice(0, 3));
      expect(rest).toEqual(expected.slice(3));
      expect((await store.readAll({ maxCount: 1 }))[0]!.position).toBeGreaterThan(0);
    });

    it('reports the head position', async () => {
      const before = await store.headPosition();
      const { position } = await store.appendToStream(streamName(), events(3), 'no_stream');

      expect(position).toBeGreaterThan(before);
      expect(await store.headPosition()).toBe(position);
      expect(await store.readAll({ after: position })).toEqual([]);
    });

    it('round-trips metadata through every read', async () => {
      const stream = streamName('meta');
      const meta = metadata({
        actorId: null,
        schemaVersion: 3,
        previousHash: 'sha256:abc',
        occurredAt: '2024-02-29T23:59:59.999Z',
        tenant: { id: 'r-1', tags: ['ß', '✊'] },
      });
      const event: EventToAppend = { id: randomUUID(), type: 'Meta', data: { amountCents: 1250 }, metadata: meta };
      const head = await store.headPosition();

      await store.appendToStream(stream, [event], 'no_stream');
      const { received, onEvents } = collector(stream);
      const subscription = store.subscribeToAll({ after: head, onEvents });
      await until(() => received.length === 1, 'the event');
      await subscription.close();

      expect((await store.readStream(stream))[0]!.metadata).toEqual(meta);
      expect((await store.readAll({ after: head })).find((e) => e.id === event.id)!.metadata).toEqual(meta);
      expect(received[0]!.metadata).toEqual(meta);
    });

    describe('subscribeToAll', () => {
      it('catches up from the checkpoint, then follows live appends', async () => {
        const stream = streamName('sub');
        const head = await store.headPosition();
        await store.appendToStream(stream, events(3), 'no_stream');
        const existing = await store.readStream(stream);

        const { received, onEvents } = collector(stream);
        const subscription = store.subscribeToAll({ after: existing[0]!.position, onEvents });
        await until(() => received.length === 2, 'catch-up');
        await store.appendToStream(stream, events(2), 2);
        await until(() => received.length === 4, 'live events');
        await settle(50);
        await subscription.close();

        const all = await store.readStream(stream);
        expect(received).toEqual(all.slice(1));
        expect(received.every((e) => e.position > head)).toBe(true);
      });

      it('delivers every event of 20 concurrent writers exactly once, in position order', async () => {
        const prefix = streamName('writers');
        const { received, onEvents, overlapped } = collector(prefix);
        const subscription = store.subscribeToAll({ after: await store.headPosition(), onEvents, batchSize: 7 });

        const appended: string[] = [];
        await Promise.all(
          Array.from({ length: 20 }, async (_, w) => {
            const stream = `${prefix}-${w}`;
            for (let i = 0; i < 50; i++) {
              const batch = events(1 + ((w + i) % 3), stream);
              appended.push(...batch.map((e) => e.id));
              await store.appendToStream(stream, batch, i === 0 ? 'no_stream' : 'stream_exists');
            }
          }),
        );
        await until(() => received.length >= appended.length, `${appended.length} events`, 20_000);
        await settle(100);
        await subscription.close();

        expect(received).toHaveLength(appended.length);
        expect(new Set(received.map((e) => e.id))).toEqual(new Set(appended));
        expectIncreasing(received.map((e) => e.position));
        expect(overlapped()).toBe(false);
      }, SLOW_TEST_MS);

      it('resumes from the last checkpoint after a restart, with no loss and no duplicate', async () => {
        const prefix = streamName('resume');
        const head = await store.headPosition();
        const first = collector(prefix);
        const appended: string[] = [];
        const writers = Promise.all(
          Array.from({ length: 5 }, async (_, w) => {
            for (let i = 0; i < 30; i++) {
              const batch = events(1 + (i % 2), `${prefix}-${w}`);
              appended.push(...batch.map((e) => e.id));
              await store.appendToStream(`${prefix}-${w}`, batch, 'any');
            }
          }),
        );

        const subscription = store.subscribeToAll({ after: head, onEvents: first.onEvents, batchSize: 5 });
        await until(() => first.received.length >= 20, 'the first events', 20_000);
        await subscription.close();
        const deliveredBeforeClose = first.received.length;
        const checkpoint = first.received.at(-1)!.position;

        const second = collector(prefix);
        const resumed = store.subscribeToAll({ after: checkpoint, onEvents: second.onEvents });
        await writers;
        await until(() => deliveredBeforeClose + second.received.length >= appended.length, 'the remaining events', 20_000);
        await settle(100);
        await resumed.close();

        expect(first.received).toHaveLength(deliveredBeforeClose);
        const all = [...first.received, ...second.received];
        expect(all.map((e) => e.id).sort()).toEqual([...appended].sort());
        expectIncreasing(all.map((e) => e.position));
      }, SLOW_TEST_MS);
    });
  });
}
