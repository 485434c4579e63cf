import { z } from 'zod';

/** At most this many keywords per revolt, each at most this many characters (after normalisation). */
export const MAX_FILTER_KEYWORDS = 100;
export const MAX_FILTER_KEYWORD_LENGTH = 60;

/** Code points that draw nothing (zero-width spaces and joiners, soft hyphens, variation selectors…): dropped before matching. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
/** A word: letters, digits and the marks that combine with them; everything else separates words. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * The form text is compared in: compatibility forms folded (NFKC: fullwidth `ＢＡＤ` is `BAD`, ligatures split),
 * invisible characters dropped, and case folded (upper then lower, so `ß` and `SS` agree), then NFKC again.
 */
export function foldForFilter(text: string): string {
  return text.normalize('NFKC').replace(IGNORABLE, '').toUpperCase().toLowerCase().normalize('NFKC');
}

/** The words of `text` in the folded form, in order. */
export const filterWords = (text: string): string[] => foldForFilter(text).match(WORD) ?? [];

/**
 * A keyword as a revolt's moderators enter it: one word or a phrase of words (what separates them does not
 * matter: `bad-word` is the phrase `bad word`), stored as entered, trimmed.
 */
export const filterKeywordSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_FILTER_KEYWORD_LENGTH)
  .refine((keyword) => filterWords(keyword).length > 0, 'a keyword needs at least one letter or digit');

export const filterKeywordsSchema = z.array(filterKeywordSchema).max(MAX_FILTER_KEYWORDS);

/**
 * The first of `keywords` (in their order) that `text` holds as whole words, case-insensitively and whatever
 * compatibility forms or invisible characters it is written with; undefined when none. `bad` matches `Bad!` and
 * `ＢＡＤ` but not `badge`; the phrase `very bad` matches `very, BAD`. Linear in the text: its words are indexed
 * once, and each keyword is only compared where its first word occurs.
 */
export function matchKeyword(text: string, keywords: readonly string[]): string | undefined {
  if (keywords.length === 0) return undefined;
  const words = filterWords(text);
  const at = new Map<string, number[]>();
  words.forEach((word, index) => {
    const positions = at.get(word);
    if (positions) positions.push(index);
    else at.set(word, [index]);
  });
  return keywords.find((keyword) => {
    const [first, ...rest] = filterWords(keyword);
    return (at.get(first!) ?? []).some((start) => rest.every((word, i) => words[start + 1 + i] === word));
  });
}
