import { describe, expect, it } from 'vitest';
import { findUnstorableText, isStorableText } from '../../src/events/storable-text.ts';

describe('storable text', () => {
  it.each([
    ['NUL', 'a\u0000b', false],
    ['a lone high surrogate', 'a\ud800b', false],
    ['a lone high surrogate at the end', 'a\udbff', false],
    ['a lone low surrogate', '\udc00a', false],
    ['two high surrogates', '\ud800\ud800', false],
    ['a surrogate pair (an emoji)', 'a😀b\ud83d\ude00', true],
    ['other controls, bidi and zero-width characters (names refuse those, not the store)', '\u0001\u202e\u200b\t', true],
  ])('%s', (_, text, storable) => {
    expect(isStorableText(text)).toBe(storable);
  });

  it('names the path of the value or key that is not storable, in objects, arrays and bare objects', () => {
    expect(findUnstorableText({ a: [{ b: 'ok' }, { c: 'x\u0000' }] }, 'body')).toBe('body.a.1.c');
    expect(findUnstorableText({ a: { ['k\ud800']: 1 } }, 'body')).toBe('body.a.k\ud800');
    const bare = Object.assign(Object.create(Object.create(null)), { q: '\udfff' });
    expect(findUnstorableText(bare, 'querystring')).toBe('querystring.q');
    expect(findUnstorableText('\u0000', 'frame')).toBe('frame');
    expect(findUnstorableText({ a: ['fine', 1, null, true, { b: '😀' }] }, 'body')).toBeNull();
    expect(findUnstorableText(Buffer.from([0, 0xed, 0xa0, 0x80]), 'body')).toBeNull();
  });

  it('walks a body nested 100,000 deep without overflowing the stack', () => {
    const depth = 100_000;
    const deep = JSON.parse(`${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`);
    const path = findUnstorableText(deep, 'body');
    expect(path).toBe(`body${'.0'.repeat(depth)}`);
  });
});
