import { describe, expect, it } from 'vitest';
import { messageDecider, type MessageCommandOf } from '../../src/commands/messages/decide.ts';
import type { RevoltState } from '../../src/commands/revolts/state.ts';
import { systemMessageText } from '../../src/reactors/system-messages.ts';
import { given } from '../support/decider.ts';
import { at, ids, later, revolt, sentBy, withChannel } from './messages-fixture.ts';

const withSystemChannel = (channelId: string, since = at): RevoltState => ({
  ...revolt,
  settings: { ...revolt.settings, systemChannelId: channelId },
  systemChannelSince: since,
});

const post = (state: RevoltState, overrides: Partial<MessageCommandOf<'PostSystemMessage'>> = {}): MessageCommandOf<'PostSystemMessage'> => ({
  type: 'PostSystemMessage',
  messageId: ids.message,
  revolt: state,
  content: 'bob joined the revolt.',
  at: later,
  ...overrides,
});

describe('system messages: posted in the system channel, by the revolt', () => {
  it('a system message in the system channel, authored by the revolt, with no mentions', () => {
    given(messageDecider)
      .when(post(withSystemChannel(ids.other)))
      .then([
        {
          type: 'MessageSent',
          data: {
            messageId: ids.message,
            channelId: ids.other,
            revoltId: ids.revolt,
            authorId: ids.revolt,
            content: 'bob joined the revolt.',
            type: 'system',
            mentions: [],
            roleMentions: [],
            channelMentions: [],
            mentionEveryone: false,
            createdAt: later,
          },
        },
      ]);
  });

  it('nothing without a system channel, with one that is gone or archived, or set after what it tells of', () => {
    given(messageDecider).when(post(revolt)).then([]);
    given(messageDecider).when(post(withSystemChannel('f'.repeat(24)))).then([]);
    given(messageDecider).when(post(withChannel(withSystemChannel(ids.other), ids.other, { settings: { archived: true } }))).then([]);
    given(messageDecider).when(post(withSystemChannel(ids.other, '2026-01-01T00:10:00.000Z'))).then([]);
    given(messageDecider).when(post({ ...withSystemChannel(ids.other), deleted: true })).then([]);
  });

  it('posted already: nothing more', () => {
    given(messageDecider, [sentBy(ids.revolt, { type: 'system' })]).when(post(withSystemChannel(ids.other))).then([]);
  });
});

describe('what system messages say', () => {
  it.each([
    [{ kind: 'joined', who: 'ada' } as const, 'ada joined the revolt.'],
    [{ kind: 'left', who: 'ada' } as const, 'ada left the revolt.'],
    [{ kind: 'kicked', who: 'ada' } as const, 'ada was kicked from the revolt.'],
    [{ kind: 'banned', who: 'ada' } as const, 'ada was banned from the revolt.'],
    [{ kind: 'donated', who: 'ada', amount: 1250, currency: 'eur' } as const, 'ada donated 12.50 EUR.'],
    [{ kind: 'donated', amount: 5, currency: 'usd' } as const, 'An anonymous supporter donated 0.05 USD.'],
  ])('%o', (notice, text) => {
    expect(systemMessageText(notice)).toBe(text);
  });
});
