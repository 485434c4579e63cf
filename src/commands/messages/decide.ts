import type { Decider } from '../decider.ts';
import type { MessageCommand, PinCommand } from './commands.ts';
import { remove } from './decide/delete.ts';
import { edit } from './decide/edit.ts';
import { pin, release, unpin } from './decide/pins.ts';
import { react } from './decide/reactions.ts';
import { send } from './decide/send.ts';
import { postSystemMessage } from './decide/system.ts';
import type { MessageEvent, PinEvent } from './events.ts';
import { evolveMessage, evolvePins, initialMessageState, initialPinsState, type MessageState, type PinsState } from './state.ts';

export type { MessageCommand, MessageCommandOf, PinCommand } from './commands.ts';
export { MAX_CONTENT_LENGTH, MAX_PINS } from './rules.ts';
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
      case 'PostSystemMessage':
        return postSystemMessage(command, state);
    }
  },
};

/** A channel's pins stream: pinned, unpinned, released when the message is deleted. */
export const pinsDecider: Decider<PinCommand, PinsState, PinEvent> = {
  initialState: initialPinsState,
  evolve: evolvePins,
  decide(command, state) {
    switch (command.type) {
      case 'PinMessage':
        return pin(command, state);
      case 'UnpinMessage':
        return unpin(command, state);
      case 'ReleaseDeletedMessage':
        return release(command, state);
    }
  },
};

export const messageStream = (messageId: string) => `message-${messageId}`;
export const pinsStream = (channelId: string) => `channel-pins-${channelId}`;
