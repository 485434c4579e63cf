import { describe, expect, it } from 'vitest';
import { GroupCommitter, type Outcome } from '../../../src/events/store/group-commit.ts';

/** A flush that records each group and holds it until released; answers each item doubled, refusing negatives alone. */
function recordingFlush() {
  const groups: number[][] = [];
  const releases: Array<() => void> = [];
  const flush = async (items: number[]): Promise<Outcome<number>[]> => {
    groups.push(items);
    await new Promise<void>((resolve) => releases.push(resolve));
    return items.map((item) => (item < 0 ? { ok: false, error: new Error(`refused ${item}`) } : { ok: true, value: item * 2 }));
  };
  const release = async () => {
    while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();
  };
  return { groups, flush, release };
}

describe('GroupCommitter', () => {
  it('sends the items submitted in one turn of the event loop as one group, answering each its own outcome', async () => {
    const { groups, flush, release } = recordingFlush();
    const committer = new GroupCommitter(flush);

    const results = Promise.allSettled([1, -2, 3].map((item) => committer.submit(item)));
    await release();

    expect(groups).toEqual([[1, -2, 3]]);
    expect(await results).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: new Error('refused -2') },
      { status: 'fulfilled', value: 6 },
    ]);
  });

  it('gathers what arrives during a flush into the next group, which starts as soon as that flush ends', async () => {
    const { groups, flush, release } = recordingFlush();
    const committer = new GroupCommitter(flush);

    const first = committer.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(groups).toEqual([[1]]);
    const later = [2, 3, 4].map((item) => committer.submit(item));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(groups).toEqual([[1]]);

    await release();
    expect(await first).toBe(2);
    await release();
    expect(await Promise.all(later)).toEqual([4, 6, 8]);
    expect(groups).toEqual([[1], [2, 3, 4]]);
  });

  it('fails every item of a group whose flush throws, and carries on with the next group', async () => {
    let calls = 0;
    const committer = new GroupCommitter(async (items: string[]): Promise<Outcome<string>[]> => {
      calls += 1;
      if (calls === 1) throw new Error('connection lost');
      return items.map((value) => ({ ok: true, value }));
    });

    const failed = await Promise.allSettled([committer.submit('a'), committer.submit('b')]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await committer.submit('c')).toBe('c');
  });
});
