import { describe, expect, it } from 'vitest';
import { filterKeywordSchema, filterKeywordsSchema, foldForFilter, matchKeyword, MAX_FILTER_KEYWORDS } from '../../src/commands/revolts/keyword-filter.ts';

describe('keyword filter: whole words, case-insensitive, after Unicode normalisation', () => {
  it.each<[string, string, readonly string[], string | undefined]>([
    ['a plain word', 'this is bad', ['bad'], 'bad'],
    ['any case', 'this is BaD!', ['bad'], 'bad'],
    ['a keyword entered in capitals', 'this is bad', ['BAD'], 'BAD'],
    ['fullwidth letters (NFKC)', 'this is ｂａｄ', ['bad'], 'bad'],
    ['a ligature (NFKC)', 'ﬁlthy words', ['filthy'], 'filthy'],
    ['a zero-width space inside the word', 'b\u200bad', ['bad'], 'bad'],
    ['a soft hyphen inside the word', 'ba\u00add', ['bad'], 'bad'],
    ['sharp s folds to ss', 'STRASSE', ['straße'], 'straße'],
    ['punctuation around the word', '"bad," she said', ['bad'], 'bad'],
    ['not inside another word', 'a badge of honour', ['bad'], undefined],
    ['not as a prefix of a longer word', 'badly', ['bad'], undefined],
    ['a phrase across punctuation and case', 'very, BAD idea', ['very bad'], 'very bad'],
    ['a phrase needs its words in order and adjacent', 'very much bad', ['very bad'], undefined],
    ['a phrase at the very end', 'it was very', ['was very bad'], undefined],
    ['a hyphenated keyword is the phrase of its words', 'bad word here', ['bad-word'], 'bad-word'],
    ['the first keyword in the list order wins', 'worse then bad', ['bad', 'worse'], 'bad'],
    ['no keywords, no match', 'bad', [], undefined],
    ['accented letters are letters', 'café olé', ['olé'], 'olé'],
    ['accents are not stripped', 'cafe', ['café'], undefined],
  ])('%s', (_, text, keywords, expected) => {
    expect(matchKeyword(text, keywords)).toBe(expected);
  });

  it('folds compatibility forms and case, and drops invisible characters', () => {
    expect(foldForFilter('ＡＢＣ\u200d')).toBe('abc');
    expect(foldForFilter('Straße')).toBe('strasse');
  });

  it('keywords are bounded in count and length and need a letter or digit', () => {
    expect(filterKeywordSchema.safeParse('  spaced  ').data).toBe('spaced');
    expect(filterKeywordSchema.safeParse('!!!').success).toBe(false);
    expect(filterKeywordSchema.safeParse('').success).toBe(false);
    expect(filterKeywordSchema.safeParse('x'.repeat(61)).success).toBe(false);
    expect(filterKeywordsSchema.safeParse(Array.from({ length: MAX_FILTER_KEYWORDS }, (_, i) => `w${i}`)).success).toBe(true);
    expect(filterKeywordsSchema.safeParse(Array.from({ length: MAX_FILTER_KEYWORDS + 1 }, (_, i) => `w${i}`)).success).toBe(false);
  });
});
