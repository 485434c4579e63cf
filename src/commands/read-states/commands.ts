import type { MessageFacts } from '../messages/state.ts';
import type { RevoltState } from '../revolts/state.ts';

/**
 * Marks a channel read up to a message. Carries what the handler loaded: the channel's revolt (the reader must be
 * able to view the channel) and the message as its own stream holds it (it must be in that channel).
 */
export interface AckChannel {
  type: 'AckChannel';
  userId: string;
  channelId: string;
  messageId: string;
  revolt: RevoltState;
  message: MessageFacts;
  at: string;
}
