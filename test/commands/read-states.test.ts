import { describe, expect, it } from 'vitest';
import type { AckChannel } from '../../src/commands/read-states/commands.ts';
import { readStatesDecider } from '../../src/commands/read-states/decide.ts';
import type { ReadStateEvent } from '../../src/commands/read-states/events.ts';
import { given } from '../support/decider.ts';
import { at, ids, revolt, withChannel } from './messages-fixture.ts';

const first = '6'.repeat(23) + '1';
const second = '6'.repeat(23) + '2';
const facts = { exists: true, channelId: ids.general, authorId: ids.owner, isDeleted: false };
const ack = (messageId: string, over: Partial<AckChannel> = {}): AckChannel => ({
  type: 'AckChannel',
  userId: ids.bob,
  channelId: ids.general,
  messageId,
  revolt,
  message: facts,
  at,
  ...over,
});
const acked = (messageId: string): ReadStateEvent => ({ type: 'ChannelAcked', data: { userId: ids.bob, revoltId: ids.revolt, channelId: ids.general, messageId, at } });

describe('read states: acks', () => {
  it('a member acks a message of a channel they can view', () => {
    given(readStatesDecider).when(ack(first)).then([acked(first)]);
  });

  it('never moves backwards: acking the same or an earlier message records nothing, a later one moves on', () => {
    given(readStatesDecider, [acked(second)]).when(ack(first)).then([]);
    given(readStatesDecider, [acked(second)]).when(ack(second)).then([]);
    given(readStatesDecider, [acked(first)]).when(ack(second)).then([acked(second)]);
  });

  it('acks in each channel are independent', () => {
    const other = { ...facts, channelId: ids.other };
    given(readStatesDecider, [acked(second)]).when(ack(first, { channelId: ids.other, message: other })).then((events) => expect(events).toHaveLength(1));
  });

  it('404 for a channel the user cannot view, for non-members, and for a message of another channel or none', () => {
    const hidden = withChannel(revolt, ids.general, { settings: { isPrivate: true } });
    given(readStatesDecider).when(ack(first, { revolt: hidden })).thenFails(404, 'not_found');
    given(readStatesDecider).when(ack(first, { userId: ids.stranger })).thenFails(404, 'not_found');
    given(readStatesDecider).when(ack(first, { message: { ...facts, channelId: ids.other } })).thenFails(404, 'not_found');
    given(readStatesDecider).when(ack(first, { message: { ...facts, exists: false } })).thenFails(404, 'not_found');
  });
});
