import type { Decider } from '../decider.ts';
import { notFound } from '../errors.ts';
import { requireChannel } from '../permissions/access.ts';
import type { AckChannel } from './commands.ts';
import type { ReadStateEvent } from './events.ts';
import { evolveReadStates, initialReadStatesState, type ReadStatesState } from './state.ts';

/**
 * Whether message `a` comes after message `b` in their channel. Message ids are ObjectIds made when the message is
 * sent (creation second first), so their hex order is their order of creation, the order clients show.
 */
export const isAfter = (a: string, b: string): boolean => a > b;

/**
 * One reader's read states. An ack needs a channel the reader can view (404 otherwise, as for every channel they
 * cannot see) and a message of that channel (404). It never moves backwards: an ack of a message at or before the
 * one acked records nothing, so of two concurrent acks the later message is kept whichever arrives last.
 */
export const readStatesDecider: Decider<AckChannel, ReadStatesState, ReadStateEvent> = {
  initialState: initialReadStatesState,
  evolve: evolveReadStates,
  decide(command, state) {
    const { userId, channelId, messageId, revolt, message, at } = command;
    requireChannel(revolt, userId, channelId);
    if (!message.exists || message.channelId !== channelId) throw notFound('message');
    const acked = state.acks.get(channelId);
    if (acked !== undefined && !isAfter(messageId, acked)) return [];
    return [{ type: 'ChannelAcked', data: { userId, revoltId: revolt.revoltId, channelId, messageId, at } }];
  },
};

export const readStatesStream = (userId: string) => `read-states-${userId}`;
