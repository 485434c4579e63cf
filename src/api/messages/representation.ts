import type { Document } from 'mongodb';
import { z } from 'zod';
import { messageAttachmentSchema } from '../../commands/attachments/events.ts';
import { storedEmbedSchema } from '../../commands/messages/content/embeds.ts';
import { messageEventSchemas } from '../../commands/messages/events.ts';
import { messageView } from '../../projections/messages/document.ts';
import { objectId, timestamp } from '../schemas/fields.ts';

const sent = messageEventSchemas.MessageSent.shape;

/** A message as every route shows it to its reader (`me` on each reaction is theirs): reads, lists, and what send and edit answer. */
export const messageSchema = z
  .object({
    id: z.string(),
    channelId: objectId,
    revoltId: objectId,
    authorId: objectId,
    content: z.string(),
    type: sent.type,
    attachments: z.array(messageAttachmentSchema),
    embeds: z.array(storedEmbedSchema),
    reactions: z.array(z.object({ emoji: z.string(), count: z.number().int(), users: z.array(objectId), me: z.boolean() })),
    mentions: z.array(objectId),
    roleMentions: z.array(z.string()),
    channelMentions: z.array(objectId),
    mentionEveryone: z.boolean(),
    replyTo: z.string().optional(),
    editedAt: timestamp.optional(),
    pinned: z.boolean(),
    pinnedAt: timestamp.optional(),
    isDeleted: z.boolean(),
    deletedAt: timestamp.optional(),
    createdAt: timestamp,
  })
  .meta({ id: 'Message' });
export type Message = z.input<typeof messageSchema>;

/** A messages document (read, or built from the message's state by a command) as `viewerId` reads it. */
export const messageShownTo = (doc: Document, viewerId: string): Message => messageView(doc, viewerId) as Message;
