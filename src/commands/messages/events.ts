import { z } from 'zod';
import { idSchema, isoDate } from '../../events/ids.ts';
import { messageAttachmentSchema } from '../attachments/events.ts';
import { storedEmbedSchema } from './content/embeds.ts';
import type { EventsOf } from '../../events/catalogue.ts';

const mentionFields = {
  mentions: z.array(idSchema),
  roleMentions: z.array(z.string()),
  channelMentions: z.array(idSchema),
  mentionEveryone: z.boolean(),
};

const reaction = z.object({
  messageId: idSchema,
  channelId: idSchema,
  revoltId: idSchema,
  emoji: z.string().min(1),
  userId: idSchema,
  /** The message's author (who received the reaction); absent in reactions recorded before it was carried. */
  authorId: idSchema.optional(),
});
const pin = { revoltId: idSchema, channelId: idSchema, messageId: idSchema };

/**
 * Events of the messages module: the message stream (`message-<id>`: sent, edited, deleted, reactions) and the
 * per-channel pins stream (`channel-pins-<channelId>`).
 */
export const messageEventSchemas = {
  MessageSent: z.object({
    messageId: idSchema,
    channelId: idSchema,
    revoltId: idSchema,
    authorId: idSchema,
    content: z.string(),
    type: z.enum(['text', 'image', 'file', 'embed', 'system']),
    replyTo: idSchema.optional(),
    ...mentionFields,
    /** Absent means none (messages sent before embeds existed, and every message without one). */
    embeds: z.array(storedEmbedSchema).max(10).optional(),
    /** Absent means none. */
    attachments: z.array(messageAttachmentSchema).max(10).optional(),
    createdAt: isoDate,
  }),
  MessageEdited: z.object({
    messageId: idSchema,
    channelId: idSchema,
    revoltId: idSchema,
    content: z.string(),
    ...mentionFields,
    /** The message's embeds after the edit: the supplied ones kept, link embeds recomputed from the new content. */
    embeds: z.array(storedEmbedSchema).max(10),
    editedBy: idSchema,
    editedAt: isoDate,
  }),
  MessageDeleted: z.object({ messageId: idSchema, channelId: idSchema, revoltId: idSchema, deletedBy: idSchema, deletedAt: isoDate }),
  ReactionAdded: reaction.extend({ at: isoDate }),
  ReactionRemoved: reaction.extend({ at: isoDate }),
  MessagePinned: z.object({ ...pin, pinnedBy: idSchema, pinnedAt: isoDate }),
  MessageUnpinned: z.object({
    ...pin,
    unpinnedBy: idSchema,
    unpinnedAt: isoDate,
    /** `message_deleted` when the pin was released because its message was deleted. */
    reason: z.enum(['unpinned', 'message_deleted']),
  }),
} as const;

type Schemas = typeof messageEventSchemas;
type EventOf<K extends keyof Schemas> = EventsOf<Schemas, K>;

/** Events of one message's stream. */
export type MessageEvent = EventOf<'MessageSent' | 'MessageEdited' | 'MessageDeleted' | 'ReactionAdded' | 'ReactionRemoved'>;
/** Events of a channel's pins stream. */
export type PinEvent = EventOf<'MessagePinned' | 'MessageUnpinned'>;

export type MessageSentData = z.infer<Schemas['MessageSent']>;
export type MessageEditedData = z.infer<Schemas['MessageEdited']>;
