import { z } from 'zod';
import { idSchema, isoDate } from '../../events/ids.ts';

export const messageEventSchemas = {
  MessageSent: z.object({
    messageId: idSchema,
    channelId: idSchema,
    revoltId: idSchema,
    authorId: idSchema,
    content: z.string(),
    type: z.enum(['text', 'image', 'file', 'embed', 'system']),
    replyTo: idSchema.optional(),
    mentions: z.array(idSchema),
    roleMentions: z.array(z.string()),
    channelMentions: z.array(idSchema),
    mentionEveryone: z.boolean(),
    createdAt: isoDate,
  }),
} as const;

export type MessageEvent = { type: 'MessageSent'; data: z.infer<typeof messageEventSchemas.MessageSent> };
