import type { Decider } from '../decider.ts';
import type { MessageCommand } from './commands.ts';
import { remove } from './delete.ts';
import { edit } from './edit.ts';
import type { MessageEvent } from './events.ts';
import { react } from './reactions.ts';
import { send } from './send.ts';
import { evolveMessage, initialMessageState, type MessageState } from './state.ts';

export type { MessageCommand, MessageCommandOf } from './commands.ts';
export { MAX_CONTENT_LENGTH } from './rules.ts';
export type { MessageFacts, MessageState } from './state.ts';

/** One message's stream: sent, edited, deleted, reacted to. */
export const messageDecider: Decider<MessageCommand, MessageState, MessageEvent> = {
  initialState: initialMessageState,
  evolve: evolveMessage,
  decide(command, state) {
    switch (command.type) {
      case 'SendMessage':
        return send(command, state);
      case 'EditMessage':
        return edit(command, state);
      case 'DeleteMessage':
        return remove(command, state);
      case 'AddReaction':
      case 'RemoveReaction':
        return react(command, state);
    }
  },
};

export const messageStream = (messageId: string) => `message-${messageId}`;
