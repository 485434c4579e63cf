import { describe, expect, it } from 'vitest';
import { hasHiddenCharacters, nameSchema, usernameSchema } from '../../src/commands/names.ts';

const channelName = nameSchema({ what: 'a channel name', min: 1, max: 100 });

describe('names', () => {
  it.each([
    ['U+200B zero-width space', 'ad\u200bmin'],
    ['U+200C zero-width non-joiner', 'ad\u200cmin'],
    ['U+200D zero-width joiner between letters', 'ad\u200dmin'],
    ['U+200E left-to-right mark', 'admin\u200e'],
    ['U+200F right-to-left mark', '\u200fadmin'],
    ['U+202A-U+202E embeddings and overrides', 'nimda\u202e'],
    ['U+2060 word joiner', 'ad\u2060min'],
    ['U+2064 invisible plus', 'ad\u2064min'],
    ['U+2066-U+2069 isolates', '\u2067admin\u2069'],
    ['U+FEFF BOM', '\ufeffadmin'],
    ['U+00AD soft hyphen', 'ad\u00admin'],
    ['U+180E Mongolian vowel separator (Cf)', 'ad\u180emin'],
    ['a tag character (Cf)', 'admin\u{e0041}'],
    ['a control character', 'ad\u0007min'],
    ['a line separator', 'ad\u2028min'],
    ['a Hangul filler', 'ad\u3164min'],
  ])('refuses %s', (_, name) => {
    expect(hasHiddenCharacters(name)).toBe(true);
    const result = channelName.safeParse(name);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain('a channel name may not contain invisible, control or bidirectional formatting characters');
  });

  it('accepts names in any script, emoji included (a joiner inside an emoji sequence hides nothing)', () => {
    for (const name of ['general', 'شؤون عامة', 'café', '👩‍💻-dev', '🏳️‍🌈 pride', 'family 👨‍👩‍👧', '日本語']) {
      expect(channelName.safeParse(name), name).toMatchObject({ success: true, data: name });
    }
  });

  it('normalises (NFC; NFKC for usernames) and trims before the length is checked', () => {
    expect(channelName.parse('  cafe\u0301  ')).toBe('café');
    expect(usernameSchema.parse('ａｄｍｉｎ')).toBe('admin');
    expect(usernameSchema.parse('ﬁsh')).toBe('fish');
    expect(usernameSchema.safeParse('a\u200d').success).toBe(false);
    expect(usernameSchema.safeParse('a#b').success).toBe(false);
    expect(usernameSchema.safeParse('a\tb').success).toBe(false);
    expect(channelName.safeParse('   ').success).toBe(false);
  });
});
