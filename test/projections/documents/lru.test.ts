import { describe, expect, it } from 'vitest';
import { BoundedLru } from '../../../src/projections/documents/lru.ts';

describe('the bounded LRU', () => {
  it('evicts the least recently used entry first, a read counting as a use', () => {
    const lru = new BoundedLru<string, number>({ maxEntries: 2, maxBytes: 1000 });
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3, 10);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
    expect(lru.size).toBe(2);
  });

  it('evicts as many entries as it takes to fit the bytes, and counts a replaced entry once', () => {
    const lru = new BoundedLru<string, string>({ maxEntries: 100, maxBytes: 160 });
    const keys = 'abcdefghijklmnop'.split('');
    for (const key of keys) lru.set(key, key, 10);
    expect(lru.bytes).toBe(160);
    lru.set('b', 'b2', 5);
    expect(lru.bytes).toBe(155);
    lru.set('q', 'q', 10);
    expect(lru.bytes).toBe(155);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.get('b')).toBe('b2');
    expect(lru.size).toBe(16);
  });

  it('refuses an entry above a sixteenth of its bytes, and everything when it may hold no entry', () => {
    expect(new BoundedLru<string, number>({ maxEntries: 10, maxBytes: 160 }).set('big', 1, 11)).toBe(false);
    const none = new BoundedLru<string, number>({ maxEntries: 0, maxBytes: 160 });
    expect(none.set('a', 1, 1)).toBe(false);
    expect(none.size).toBe(0);
  });
});
