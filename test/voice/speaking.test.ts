// The speaking debouncer alone (time passed in): what reaches the event store.
import { describe, expect, it } from 'vitest';
import { SpeakingDebouncer } from '../../src/voice/media/speaking.ts';

describe('SpeakingDebouncer', () => {
  const speaking = (...ids: string[]) => new Set(ids);

  it('reports a state once it has held for holdMs', () => {
    const d = new SpeakingDebouncer({ holdMs: 300, minGapMs: 500 });
    d.observe(speaking('a'), 0);
    expect(d.flush(0)).toEqual([]);
    expect(d.nextDue()).toBe(300);
    d.observe(speaking('a'), 200);
    expect(d.flush(299)).toEqual([]);
    expect(d.flush(300)).toEqual([{ userId: 'a', speaking: true }]);
    expect(d.nextDue()).toBeUndefined();
    d.observe(speaking(), 1000);
    expect(d.flush(1299)).toEqual([]);
    expect(d.flush(1300)).toEqual([{ userId: 'a', speaking: false }]);
  });

  it('ignores flicker shorter than the hold time', () => {
    const d = new SpeakingDebouncer({ holdMs: 300, minGapMs: 500 });
    const changes = [];
    for (let t = 0; t < 5000; t += 100) {
      d.observe(t % 600 === 500 ? speaking() : speaking('a'), t); // a 100 ms pause every 600 ms
      changes.push(...d.flush(t));
    }
    expect(changes).toEqual([{ userId: 'a', speaking: true }]);
  });

  it('caps the rate of changes per user with minGapMs', () => {
    const d = new SpeakingDebouncer({ holdMs: 100, minGapMs: 1000 });
    const changes: Array<{ at: number; speaking: boolean }> = [];
    for (let t = 0; t < 10_000; t += 50) {
      d.observe(Math.floor(t / 400) % 2 ? speaking() : speaking('a'), t); // 400 ms on, 400 ms off
      for (const c of d.flush(t)) changes.push({ at: t, speaking: c.speaking });
    }
    expect(changes.length).toBeGreaterThan(3);
    expect(changes.length).toBeLessThanOrEqual(10); // at most one per second
    for (let i = 1; i < changes.length; i++) {
      expect(changes[i]!.at - changes[i - 1]!.at).toBeGreaterThanOrEqual(1000);
      expect(changes[i]!.speaking).toBe(!changes[i - 1]!.speaking);
    }
  });

  it('keeps users apart, and forget() says whether a stop must be reported', () => {
    const d = new SpeakingDebouncer({ holdMs: 0, minGapMs: 0 });
    d.observe(speaking('a', 'b'), 0);
    expect(d.flush(0)).toEqual([
      { userId: 'a', speaking: true },
      { userId: 'b', speaking: true },
    ]);
    expect(d.forget('a')).toBe(true);
    expect(d.forget('a')).toBe(false);
    d.observe(speaking('b'), 10);
    expect(d.flush(10)).toEqual([]);
  });
});
