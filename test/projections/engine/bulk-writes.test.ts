import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bulkWriteChunked, MAX_STATEMENTS_PER_WRITE, POSITION_FIELD, rewriteEachWithEvents } from '../../../src/projections/engine/guard.ts';
import { testEnv, type TestEnv } from './helpers.ts';

interface Doc {
  _id: string;
  count: number;
  seen: number[];
  [POSITION_FIELD]: number;
}

/** The real collection, with the size of every bulk write it is sent recorded. */
function recordingBulkWrites(collection: Collection<Doc>): { collection: Collection<Doc>; sizes: number[] } {
  const sizes: number[] = [];
  const recording = new Proxy(collection, {
    get(target, property, receiver) {
      if (property !== 'bulkWrite') return Reflect.get(target, property, receiver);
      return (writes: AnyBulkWriteOperation<Doc>[], options: object) => {
        sizes.push(writes.length);
        return target.bulkWrite(writes, options);
      };
    },
  });
  return { collection: recording, sizes };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `doc-${String(i).padStart(3, '0')}`);

describe('bulk writes of a batch (guard.ts)', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('rewriteEachWithEvents reads the documents at once and writes them back in commands of at most MAX_STATEMENTS_PER_WRITE, each event once', async () => {
    const live = env.db.collection<Doc>('docs');
    await live.insertMany(ids(90).map((_id) => ({ _id, count: 0, seen: [], [POSITION_FIELD]: 0 })));
    const { collection, sizes } = recordingBulkWrites(live);
    const mutate = (doc: Doc, event: { position: number }) => {
      doc.count += 1;
      doc.seen.push(event.position);
    };
    // doc-000 gets positions 1 and 91, every other doc one position of its own; a doc that is absent is passed over.
    const groups = [...ids(90).map((_id, i) => ({ _id, events: [{ position: i + 1 }] })), { _id: 'absent', events: [{ position: 200 }] }];
    groups[0] = { _id: 'doc-000', events: [{ position: 1 }, { position: 91 }] };
    await rewriteEachWithEvents(collection, groups, mutate);

    expect(sizes).toEqual([...Array<number>(Math.floor(90 / MAX_STATEMENTS_PER_WRITE)).fill(MAX_STATEMENTS_PER_WRITE), ...(90 % MAX_STATEMENTS_PER_WRITE ? [90 % MAX_STATEMENTS_PER_WRITE] : [])]);
    expect(await live.findOne({ _id: 'doc-000' })).toMatchObject({ count: 2, seen: [1, 91], [POSITION_FIELD]: 91 });
    expect(await live.findOne({ _id: 'doc-089' })).toMatchObject({ count: 1, seen: [90], [POSITION_FIELD]: 90 });
    expect(await live.countDocuments({ count: 1 })).toBe(89);
    expect(await live.countDocuments({ _id: 'absent' })).toBe(0);

    // Redelivered, with one event more for doc-001: only that one is applied, in one statement.
    groups[1] = { _id: 'doc-001', events: [{ position: 2 }, { position: 150 }] };
    await rewriteEachWithEvents(collection, groups, mutate);
    expect(sizes.slice(Math.ceil(90 / MAX_STATEMENTS_PER_WRITE))).toEqual([1]);
    expect(await live.findOne({ _id: 'doc-001' })).toMatchObject({ count: 2, seen: [2, 150], [POSITION_FIELD]: 150 });
    expect(await live.countDocuments({ count: 1 })).toBe(88);
  });

  it('bulkWriteChunked drops the upserts that meet a document already there when told to, and throws otherwise', async () => {
    const live = env.db.collection<Doc>('docs');
    await live.insertOne({ _id: 'taken', count: 5, seen: [], [POSITION_FIELD]: 7 });
    // The first upsert was read at _pos 3 (a twin wrote since): it matches nothing and its insert meets the document.
    const writes: AnyBulkWriteOperation<Doc>[] = [
      { replaceOne: { filter: { _id: 'taken', [POSITION_FIELD]: 3 }, replacement: { count: 1, seen: [], [POSITION_FIELD]: 4 }, upsert: true } },
      { replaceOne: { filter: { _id: 'new', [POSITION_FIELD]: 0 }, replacement: { count: 1, seen: [], [POSITION_FIELD]: 4 }, upsert: true } },
    ];
    await expect(bulkWriteChunked(live, writes)).rejects.toMatchObject({ code: 11000 });
    await live.deleteOne({ _id: 'new' });
    await bulkWriteChunked(live, writes, { duplicatesAreNoOps: true });
    expect(await live.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 'new', count: 1, seen: [], [POSITION_FIELD]: 4 },
      { _id: 'taken', count: 5, seen: [], [POSITION_FIELD]: 7 },
    ]);
  });
});
