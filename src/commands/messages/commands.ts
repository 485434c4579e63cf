import type { MessageAttachment } from '../attachments/events.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { AccountStanding } from '../users/standing.ts';
import type { EmbedInput } from './content/embeds.ts';
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
      /** The author's account, looked up only when the revolt's verification level applies to them (verificationApplies). */
      account?: AccountStanding;
    })
  | (OnMessage & { type: 'EditMessage'; actorId: string; content: string })
  | (OnMessage & { type: 'DeleteMessage'; actorId: string })
  | (OnMessage & { type: 'AddReaction' | 'RemoveReaction'; actorId: string; emoji: string })
  /**
   * A system message (a member joined or left, a donation completed) in the revolt's system channel, when it has
   * one: issued by the system-messages reactor, never by a client. `content` is the text it shows; `at` is when
   * what it tells of happened.
   */
  | { type: 'PostSystemMessage'; messageId: string; revolt: RevoltState; content: string; at: string };

export type MessageCommandOf<T extends MessageCommand['type']> = Extract<MessageCommand, { type: T }>;

/** Commands on a channel's pins stream (`channel-pins-<channelId>`). */
export type PinCommand =
  | { type: 'PinMessage'; channelId: string; messageId: string; actorId: string; revolt: RevoltState; message: MessageFacts; at: string }
  | { type: 'UnpinMessage'; channelId: string; messageId: string; actorId: string; revolt: RevoltState; at: string }
  /** Follows a MessageDeleted: a deleted message leaves the pins (and frees its slot) whoever deleted it. */
  | { type: 'ReleaseDeletedMessage'; revoltId: string; channelId: string; messageId: string; deletedBy: string; at: string };

export type PinCommandOf<T extends PinCommand['type']> = Extract<PinCommand, { type: T }>;
