import { z } from 'zod';

/** The seed's MessageEmbed (spec/database-schema.md), with Discord's limits. */
export const MAX_EMBEDS = 10;
export const MAX_LINK_EMBEDS = 5;
/** Discord's limit on all the text of all of a message's embeds together. */
export const MAX_EMBED_TEXT = 6000;

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).max(2048);
const dimension = z.number().int().positive().max(100_000);
const image = z.strictObject({ url: httpUrl, width: dimension.optional(), height: dimension.optional() });

const embedShape = {
  title: z.string().min(1).max(256).optional(),
  description: z.string().min(1).max(4096).optional(),
  url: httpUrl.optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a color is #rrggbb').optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  thumbnail: image.optional(),
  image: image.optional(),
  author: z.strictObject({ name: z.string().min(1).max(256), url: httpUrl.optional(), iconUrl: httpUrl.optional() }).optional(),
  fields: z
    .array(z.strictObject({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean().default(false) }))
    .max(25)
    .default([]),
  footer: z.strictObject({ text: z.string().min(1).max(2048), iconUrl: httpUrl.optional() }).optional(),
};

type EmbedLike = { title?: string; description?: string; author?: { name: string }; fields: { name: string; value: string }[]; footer?: { text: string } };

export function embedTextLength(embed: EmbedLike): number {
  let length = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.author?.name.length ?? 0) + (embed.footer?.text.length ?? 0);
  for (const field of embed.fields) length += field.name.length + field.value.length;
  return length;
}

/** An embed as a client supplies it in a message body. */
export const embedInputSchema = z
  .strictObject(embedShape)
  .refine(
    (e) => Boolean(e.title ?? e.description ?? e.url ?? e.image ?? e.thumbnail ?? e.author ?? e.footer) || e.fields.length > 0,
    'an embed needs a title, description, url, image, thumbnail, author, footer or a field',
  );
export type EmbedInput = z.infer<typeof embedInputSchema>;

/** The embeds of a send body: at most 10, with at most 6000 characters of text between them. */
export const embedsInputSchema = z
  .array(embedInputSchema)
  .max(MAX_EMBEDS)
  .refine((embeds) => embeds.reduce((n, e) => n + embedTextLength(e), 0) <= MAX_EMBED_TEXT, `embeds hold at most ${MAX_EMBED_TEXT} characters of text`);

/** An embed as a message carries it: `rich` ones were supplied by the author, `link` ones generated from URLs in the content. */
export const storedEmbedSchema = z.object({ ...embedShape, type: z.enum(['rich', 'link']) });
export type StoredEmbed = z.infer<typeof storedEmbedSchema>;

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g;
const TRAILING_PUNCTUATION = new Set(".,;:!?'\"*~");

function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/**
 * Sentence punctuation after a URL is not part of it; a closing parenthesis is, when it closes one of the URL's own.
 * Linear: the parentheses are counted once, then one backward pass in which every step drops a character or ends
 * (`meter.steps` counts those steps, for the test that proves it).
 */
export function trimUrl(raw: string, meter = { steps: 0 }): string {
  const opens = count(raw, '(');
  let closes = count(raw, ')');
  let end = raw.length;
  while (end > 0) {
    meter.steps++;
    const last = raw[end - 1]!;
    if (TRAILING_PUNCTUATION.has(last)) end--;
    else if (last === ')' && opens < closes) {
      end--;
      closes--;
    } else break;
  }
  return raw.slice(0, end);
}

/**
 * Minimal link embeds for the http(s) URLs in `content` (no network fetch): deduplicated, in order, at most
 * `max`. A URL written `<https://…>` asks for no embed, as in Discord.
 */
export function linkEmbeds(content: string, max = MAX_LINK_EMBEDS): StoredEmbed[] {
  const urls: string[] = [];
  for (const match of content.matchAll(URL_IN_TEXT)) {
    if (urls.length >= max) break;
    const start = match.index;
    const raw = trimUrl(match[0]);
    if (content[start - 1] === '<' && content[start + raw.length] === '>') continue;
    if (!httpUrl.safeParse(raw).success || urls.includes(raw)) continue;
    urls.push(raw);
  }
  return urls.map((url) => ({ type: 'link', url, fields: [] }));
}

/** The embeds a message carries: the supplied ones, then link embeds while there is room (EMBED_LINKS decides both). */
export function messageEmbeds(supplied: readonly StoredEmbed[], content: string, embedLinks: boolean): StoredEmbed[] {
  if (!embedLinks) return [...supplied];
  return [...supplied, ...linkEmbeds(content, Math.min(MAX_LINK_EMBEDS, MAX_EMBEDS - supplied.length))];
}
