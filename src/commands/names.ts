import { z } from 'zod';

/**
 * Characters that let one name pass for another while showing nothing: format characters (Cf: the zero-width
 * space, joiners and marks U+200B-U+200F, the bidi embeddings, overrides and isolates U+202A-U+202E and
 * U+2066-U+2069, the word joiner and invisible operators U+2060-U+2064, the BOM U+FEFF, the soft hyphen U+00AD,
 * tags, …), controls (Cc), line and paragraph separators, and the Hangul fillers, which render as blank.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]/u;
/** The one exception: a zero-width joiner between two emoji draws one emoji (👩‍💻), so it hides nothing. */
const EMOJI_JOINER = /(?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f])\u200d(?=\p{Extended_Pictographic})/gu;

export const hasHiddenCharacters = (name: string): boolean => HIDDEN.test(name.replace(EMOJI_JOINER, ''));

export interface NameRules {
  /** What the name is, for the error message: "a username", "a channel name". */
  what: string;
  min: number;
  max: number;
  /** NFKC where look-alike compatibility forms must not pass for the plain letters (usernames); else NFC. */
  form?: 'NFC' | 'NFKC';
}

/**
 * The one schema of every name people see (usernames, revolt, channel, category and role names, profile handles):
 * normalised, refused with 400 when it holds an invisible, control or bidi formatting character, then trimmed,
 * and its length checked on what is kept.
 */
export function nameSchema({ what, min, max, form = 'NFC' }: NameRules) {
  return z
    .string()
    .normalize(form)
    .refine((name) => !hasHiddenCharacters(name), `${what} may not contain invisible, control or bidirectional formatting characters`)
    .trim()
    .min(min)
    .max(max);
}

export const usernameSchema = nameSchema({ what: 'a username', min: 2, max: 32, form: 'NFKC' })
  .regex(/^[^@#:`]+$/, 'a username may not contain @ # : or `')
  .refine((u) => u !== 'everyone' && u !== 'here', 'that username is reserved');
