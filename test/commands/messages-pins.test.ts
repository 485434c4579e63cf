import { describe, expect, it } from 'vitest';
import { MAX_PINS, pinsDecider, type PinCommand } from '../../src/commands/messages/decide.ts';
import type { PinEvent } from '../../src/commands/messages/events.ts';
import type { MessageFacts } from '../../src/commands/messages/state.ts';
import { given } from '../support/decider.ts';
import { at, ids, later, revolt } from './messages-fixture.ts';

const message: MessageFacts = { exists: true, channelId: ids.general, authorId: ids.bob, isDeleted: false };
const idOf = (n: number) => n.toString(16).padStart(24, '0');
const pin = (overrides: Partial<Extract<PinCommand, { type: 'PinMessage' }>> = {}): PinCommand => ({
  type: 'PinMessage',
  channelId: ids.general,
  messageId: ids.message,
  actorId: ids.mod,
  revolt,
  message,
  at,
  ...overrides,
});
const unpin = (actorId = ids.mod): PinCommand => ({ type: 'UnpinMessage', channelId: ids.general, messageId: ids.message, actorId, revolt, at: later });
const pinned = (messageId = ids.message): PinEvent => ({
  type: 'MessagePinned',
  data: { revoltId: ids.revolt, channelId: ids.general, messageId, pinnedBy: ids.mod, pinnedAt: at },
});

describe('pins decider', () => {
  it('a member with MANAGE_MESSAGES pins a message of the channel', () => {
    given(pinsDecider).when(pin()).then([pinned()]);
  });

  it('pinning needs MANAGE_MESSAGES, and so does unpinning', () => {
    given(pinsDecider).when(pin({ actorId: ids.bob })).thenFails(403, 'forbidden');
    given(pinsDecider, [pinned()]).when(unpin(ids.bob)).thenFails(403, 'forbidden');
    given(pinsDecider).when(pin({ actorId: ids.stranger })).thenFails(404, 'not_found');
  });

  it('a deleted, missing or other-channel message cannot be pinned', () => {
    given(pinsDecider).when(pin({ message: { ...message, isDeleted: true } })).thenFails(404, 'not_found');
    given(pinsDecider).when(pin({ message: { ...message, exists: false } })).thenFails(404, 'not_found');
    given(pinsDecider).when(pin({ message: { ...message, channelId: ids.other } })).thenFails(404, 'not_found');
  });

  it('pinning twice or unpinning what is not pinned appends nothing', () => {
    given(pinsDecider, [pinned()]).when(pin()).then([]);
    given(pinsDecider).when(unpin()).then([]);
  });

  it(`a channel holds at most ${MAX_PINS} pins; unpinning frees a slot`, () => {
    const full = Array.from({ length: MAX_PINS }, (_, i) => pinned(idOf(i + 1)));
    given(pinsDecider, full.slice(1)).when(pin()).then([pinned()]);
    given(pinsDecider, full).when(pin()).thenFails(422, 'too_many_pins');
    const unpinned: PinEvent = {
      type: 'MessageUnpinned',
      data: { revoltId: ids.revolt, channelId: ids.general, messageId: idOf(1), unpinnedBy: ids.mod, unpinnedAt: later, reason: 'unpinned' },
    };
    given(pinsDecider, [...full, unpinned]).when(pin()).then([pinned()]);
  });

  it('unpinning records who and when', () => {
    given(pinsDecider, [pinned()])
      .when(unpin())
      .then([
        {
          type: 'MessageUnpinned',
          data: { revoltId: ids.revolt, channelId: ids.general, messageId: ids.message, unpinnedBy: ids.mod, unpinnedAt: later, reason: 'unpinned' },
        },
      ]);
  });

  it('a deleted message leaves the pins whoever deleted it, and only if it was pinned', () => {
    const release: PinCommand = { type: 'ReleaseDeletedMessage', revoltId: ids.revolt, channelId: ids.general, messageId: ids.message, deletedBy: ids.bob, at: later };
    given(pinsDecider, [pinned()])
      .when(release)
      .then((events) => expect(events).toEqual([expect.objectContaining({ type: 'MessageUnpinned', data: expect.objectContaining({ reason: 'message_deleted', unpinnedBy: ids.bob }) })]));
    given(pinsDecider).when(release).then([]);
  });
});
