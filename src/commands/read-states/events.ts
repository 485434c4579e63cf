import { z } from 'zod';
import type { EventsOf } from '../../events/catalogue.ts';
import { idSchema, isoDate } from '../../events/ids.ts';

/** Events of a reader's stream (`read-states-<userId>`): how far they have read each channel. */
export const readStateEventSchemas = {
  /** The user has read the channel up to and including `messageId`; acks only ever move forward. */
  ChannelAcked: z.object({ userId: idSchema, revoltId: idSchema, channelId: idSchema, messageId: idSchema, at: isoDate }),
} as const;

export type ReadStateEvent = EventsOf<typeof readStateEventSchemas>;
