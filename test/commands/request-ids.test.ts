import { describe, expect, it } from 'vitest';
import { idFor, randomFor, RequestIds } from '../../src/commands/request-ids.ts';
import { idSchema } from '../../src/events/ids.ts';

const startedAt = new Date('2026-03-04T05:06:07.890Z');
const draws = (ids: RequestIds) => [ids.objectId(), ids.fraction(), ids.bytes(8).toString('hex'), ids.objectId()];

describe('request ids', () => {
  it('a retry with the same record draws the same ids in the same order', () => {
    expect(draws(new RequestIds('seed', startedAt, false))).toEqual(draws(new RequestIds('seed', startedAt, true)));
    expect(draws(new RequestIds('seed', startedAt, false))).not.toEqual(draws(new RequestIds('other', startedAt, false)));
  });

  it('object ids are valid, distinct, and carry the first claim second as their timestamp', () => {
    const ids = new RequestIds('seed', startedAt, false);
    const [a, b] = [ids.objectId(), ids.objectId()];
    expect(idSchema.parse(a)).toBe(a);
    expect(a).not.toBe(b);
    expect(parseInt(a.slice(0, 8), 16)).toBe(Math.floor(startedAt.getTime() / 1000));
  });

  it('fractions are in [0, 1)', () => {
    const ids = new RequestIds('seed', startedAt, false);
    for (let i = 0; i < 200; i++) {
      const f = ids.fraction();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });

  it('event ids are UUIDs fixed by the stream, the n-th append to it, and the index', () => {
    const first = new RequestIds('seed', startedAt, false);
    const retry = new RequestIds('seed', startedAt, true);
    const [a1, b1, a2] = [first.nextAppend('a'), first.nextAppend('b'), first.nextAppend('a')];
    const [b1r, a1r] = [retry.nextAppend('b'), retry.nextAppend('a')];
    expect(a1(0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([a1r(0), a1r(1), b1r(0)]).toEqual([a1(0), a1(1), b1(0)]);
    expect(new Set([a1(0), a1(1), b1(0), a2(0)]).size).toBe(4);
  });

  it('without a key, ids are random as always', () => {
    expect(idFor({})).not.toBe(idFor({}));
    expect(idSchema.parse(idFor({}))).toBeTruthy();
    expect(randomFor({})).not.toBe(randomFor({}));
  });
});
