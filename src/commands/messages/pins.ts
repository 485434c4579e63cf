import type { Decider } from '../decider.ts';
import { notFound, ruleBroken } from '../errors.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { PinEvent } from './events.ts';
import { channelFor } from './rules.ts';
import type { MessageFacts } from './state.ts';

export const MAX_PINS = 50;

/**
 * A channel's pins as one aggregate (`channel-pins-<channelId>`), so the cap of 50 holds under concurrent pins:
 * every pin of the channel is decided against the same, exact set.
 */
export interface PinsState {
  /** Pinned message ids with when they were pinned, in pin order. */
  pinned: ReadonlyMap<string, string>;
}

export type PinCommand =
  | { type: 'PinMessage'; channelId: string; messageId: string; actorId: string; revolt: RevoltState; message: MessageFacts; at: string }
  | { type: 'UnpinMessage'; channelId: string; messageId: string; actorId: string; revolt: RevoltState; at: string }
  /** Follows a MessageDeleted: a deleted message leaves the pins (and frees its slot) whoever deleted it. */
  | { type: 'ReleaseDeletedMessage'; revoltId: string; channelId: string; messageId: string; deletedBy: string; at: string };

function pin(command: Extract<PinCommand, { type: 'PinMessage' }>, state: PinsState): PinEvent[] {
  const { revolt, actorId, channelId, messageId, message } = command;
  channelFor(revolt, actorId, channelId, ['MANAGE_MESSAGES']);
  if (!message.exists || message.isDeleted || message.channelId !== channelId) throw notFound('message');
  if (state.pinned.has(messageId)) return [];
  if (state.pinned.size >= MAX_PINS) throw ruleBroken('too_many_pins', `a channel has at most ${MAX_PINS} pinned messages`, { max: MAX_PINS });
  return [{ type: 'MessagePinned', data: { revoltId: revolt.revoltId, channelId, messageId, pinnedBy: actorId, pinnedAt: command.at } }];
}

function unpin(command: Extract<PinCommand, { type: 'UnpinMessage' }>, state: PinsState): PinEvent[] {
  const { revolt, actorId, channelId, messageId } = command;
  channelFor(revolt, actorId, channelId, ['MANAGE_MESSAGES']);
  if (!state.pinned.has(messageId)) return [];
  const data = { revoltId: revolt.revoltId, channelId, messageId, unpinnedBy: actorId, unpinnedAt: command.at, reason: 'unpinned' as const };
  return [{ type: 'MessageUnpinned', data }];
}

function release(command: Extract<PinCommand, { type: 'ReleaseDeletedMessage' }>, state: PinsState): PinEvent[] {
  const { revoltId, channelId, messageId, deletedBy, at } = command;
  if (!state.pinned.has(messageId)) return [];
  const data = { revoltId, channelId, messageId, unpinnedBy: deletedBy, unpinnedAt: at, reason: 'message_deleted' as const };
  return [{ type: 'MessageUnpinned', data }];
}

export const pinsDecider: Decider<PinCommand, PinsState, PinEvent> = {
  initialState: { pinned: new Map() },
  evolve(state, event) {
    const pinned = new Map(state.pinned);
    if (event.type === 'MessagePinned') pinned.set(event.data.messageId, event.data.pinnedAt);
    else pinned.delete(event.data.messageId);
    return { pinned };
  },
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

export const pinsStream = (channelId: string) => `channel-pins-${channelId}`;
