import type { MessageAttachment } from '../attachments/events.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { EmbedInput } from './embeds.ts';
import type { MessageFacts } from './state.ts';

/** What every command on a message carries: the revolt as loaded by the handler is what permissions are checked against. */
interface OnMessage {
  messageId: string;
  channelId: string;
  revolt: RevoltState;
  at: string;
}

export type MessageCommand =
  | (OnMessage & {
      type: 'SendMessage';
      authorId: string;
      content: string;
      /** Embeds supplied by the author (EMBED_LINKS); none when absent. */
      embeds?: EmbedInput[];
      /** Resolved by the attachments module from the ids in the request (ATTACH_FILES); none when absent. */
      attachments?: MessageAttachment[];
      /** The message replied to, when there is one. */
      replyTo?: { messageId: string; state: MessageFacts };
    })
  | (OnMessage & { type: 'EditMessage'; actorId: string; content: string })
  | (OnMessage & { type: 'DeleteMessage'; actorId: string })
  | (OnMessage & { type: 'AddReaction' | 'RemoveReaction'; actorId: string; emoji: string });

export type MessageCommandOf<T extends MessageCommand['type']> = Extract<MessageCommand, { type: T }>;
