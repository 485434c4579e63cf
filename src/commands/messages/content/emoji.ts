/**
 * Reaction emoji: one Unicode emoji, or a custom emoji written `name:id` (Discord's form in reaction URLs).
 * The `v` flag is built at run time: TypeScript only accepts it in literals when targeting ES2024.
 */
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
/** Emoji newer than this Node's Unicode data: one grapheme of emoji code points with at least one pictograph. */
const EMOJI_RUN = /^[\p{Extended_Pictographic}\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Emoji_Component}\u200d\ufe0f]+$/u;
const PICTOGRAPH = /[\p{Extended_Pictographic}\p{Emoji_Presentation}]/u;
const CUSTOM = /^[A-Za-z0-9_]{2,32}:[0-9a-f]{24}$/;
export const MAX_EMOJI_CODE_POINTS = 8;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const isOneGrapheme = (text: string) => [...graphemes.segment(text)].length === 1;

/**
 * The canonical form of a reaction emoji, or null when `raw` is not one. A text-style pictograph sent without
 * its emoji variation selector (`❤` for `❤️`) is the same reaction, so it gains the selector.
 */
export function canonicalEmoji(raw: string): string | null {
  if (CUSTOM.test(raw)) return raw;
  if ([...raw].length > MAX_EMOJI_CODE_POINTS) return null;
  if (RGI_EMOJI.test(raw)) return raw;
  if (RGI_EMOJI.test(`${raw}\ufe0f`)) return `${raw}\ufe0f`;
  if (EMOJI_RUN.test(raw) && PICTOGRAPH.test(raw) && isOneGrapheme(raw)) return raw;
  return null;
}
