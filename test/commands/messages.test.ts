import { describe, expect, it } from 'vitest';
import { fold } from '../../src/commands/decider.ts';
import { MAX_CONTENT_LENGTH, messageDecider, type MessageCommandOf } from '../../src/commands/messages/decide.ts';
import type { MessageEvent, MessageSentData } from '../../src/commands/messages/events.ts';
import { revoltDecider } from '../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../src/commands/revolts/events.ts';
import type { RevoltState } from '../../src/commands/revolts/state.ts';
import type { Permission } from '../../src/commands/permissions/catalogue.ts';
import { given } from '../support/decider.ts';
import { withChannel } from './messages-fixture.ts';
import { UNGATED } from '../support/features.ts';

const at = '2026-01-01T00:00:00.000Z';
const revoltId = 'a'.repeat(24);
const everyone = 'b'.repeat(24);
const general = 'c'.repeat(24);
const owner = '1'.repeat(24);
const bob = '2'.repeat(24);
const stranger = '9'.repeat(24);

const history = revoltDecider.decide(
  {
    type: 'CreateRevolt',
    revoltId,
    everyoneRoleId: everyone,
    defaultChannelId: general,
    inviteCode: 'INVITE01',
    owner: { userId: owner, username: 'owner' },
    name: 'R',
    description: '',
    settings: {},
    features: UNGATED,
    at,
  },
  revoltDecider.initialState,
);
const withBob: RevoltEvent[] = [
  ...history,
  { type: 'MemberJoined', data: { revoltId, revoltName: 'R', userId: bob, username: 'bob', isOwner: false, joinedAt: at } },
];
const revolt = fold(revoltDecider, withBob);

function withEveryonePermissions(state: RevoltState, permissions: Permission[]): RevoltState {
  const role = state.roles.get(everyone);
  if (!role) throw new Error('no @everyone');
  return { ...state, roles: new Map(state.roles).set(everyone, { ...role, permissions }) };
}

/** The data of the MessageSent a send decided. */
const sentData = (events: MessageEvent[]) => events[0]?.data as MessageSentData | undefined;

const send = (overrides: Partial<MessageCommandOf<'SendMessage'>> = {}): MessageCommandOf<'SendMessage'> => ({
  type: 'SendMessage',
  messageId: 'd'.repeat(24),
  channelId: general,
  authorId: bob,
  content: 'hello',
  revolt,
  at,
  ...overrides,
});

describe('message decider: sending', () => {
  it('a member sends a message to a text channel they can see', () => {
    given(messageDecider)
      .when(send())
      .then([
        {
          type: 'MessageSent',
          data: {
            messageId: 'd'.repeat(24),
            channelId: general,
            revoltId,
            authorId: bob,
            content: 'hello',
            type: 'text',
            mentions: [],
            roleMentions: [],
            channelMentions: [],
            mentionEveryone: false,
            createdAt: at,
          },
        },
      ]);
  });

  it('a non-member cannot see the channel', () => {
    given(messageDecider).when(send({ authorId: stranger })).thenFails(404, 'not_found');
  });

  it('an unknown channel is not found', () => {
    given(messageDecider).when(send({ channelId: 'e'.repeat(24) })).thenFails(404, 'not_found');
  });

  it('without SEND_MESSAGES the member is forbidden; without VIEW_CHANNEL the channel does not exist for them', () => {
    given(messageDecider).when(send({ revolt: withEveryonePermissions(revolt, ['VIEW_CHANNEL']) })).thenFails(403, 'forbidden');
    given(messageDecider).when(send({ revolt: withEveryonePermissions(revolt, ['SEND_MESSAGES']) })).thenFails(404, 'not_found');
  });

  it('a private channel does not exist for a member no overwrite lets in; a member overwrite or ownership opens it', () => {
    const secret = withChannel(revolt, general, { settings: { isPrivate: true } });
    given(messageDecider).when(send({ revolt: secret })).thenFails(404, 'not_found');
    const letIn = withChannel(secret, general, { overwrites: [{ type: 'member', id: bob, allow: ['VIEW_CHANNEL'], deny: [] }] });
    given(messageDecider).when(send({ revolt: letIn })).then((events) => expect(events.map((e) => e.type)).toEqual(['MessageSent']));
    given(messageDecider).when(send({ authorId: owner, revolt: secret })).then((events) => expect(events.map((e) => e.type)).toEqual(['MessageSent']));
  });

  it('the owner may send whatever @everyone may do', () => {
    given(messageDecider).when(send({ authorId: owner, revolt: withEveryonePermissions(revolt, []) })).then((events) => {
      expect(events).toHaveLength(1);
    });
  });

  it('content must be non-blank and within the limit', () => {
    given(messageDecider).when(send({ content: '   ' })).thenFails(422, 'empty_message');
    given(messageDecider).when(send({ content: 'x'.repeat(MAX_CONTENT_LENGTH + 1) })).thenFails(422, 'content_too_long');
    given(messageDecider).when(send({ content: 'x'.repeat(MAX_CONTENT_LENGTH) })).then((events) => expect(events).toHaveLength(1));
  });

  it('an archived channel rejects new messages', () => {
    const channel = revolt.channels.get(general);
    if (!channel) throw new Error('no channel');
    const archived = { ...revolt, channels: new Map(revolt.channels).set(general, { ...channel, settings: { ...channel.settings, archived: true } }) };
    given(messageDecider).when(send({ revolt: archived })).thenFails(422, 'channel_archived');
  });

  it('a message cannot be sent twice with the same id', () => {
    const sent = messageDecider.decide(send(), messageDecider.initialState);
    given(messageDecider, sent).when(send()).thenFails(409, 'already_exists');
  });
});

describe('message decider: replies and mentions', () => {
  const target = { messageId: 'f'.repeat(24), state: { exists: true, channelId: general, authorId: owner, isDeleted: false } };

  it('a reply names a message of the same channel', () => {
    given(messageDecider).when(send({ replyTo: target })).then((events) => expect(sentData(events)?.replyTo).toBe(target.messageId));
  });

  it('a reply to a missing, deleted or other-channel message is refused', () => {
    for (const state of [
      { ...target.state, exists: false },
      { ...target.state, isDeleted: true },
      { ...target.state, channelId: 'e'.repeat(24) },
    ]) {
      given(messageDecider).when(send({ replyTo: { ...target, state } })).thenFails(422, 'reply_target_missing');
    }
  });

  it('resolves user, channel and role mentions that exist in the revolt, dropping the rest', () => {
    const content = `hi <@${owner}> <@!${bob}> <@${stranger}> see <#${general}> <#${'e'.repeat(24)}> <@&${everyone}>`;
    given(messageDecider).when(send({ content })).then((events) => {
      expect(events[0]?.data).toMatchObject({ mentions: [owner, bob], channelMentions: [general], roleMentions: [] });
    });
  });

  it('@everyone needs MENTION_EVERYONE', () => {
    given(messageDecider).when(send({ content: 'hey @everyone' })).then((events) => expect(sentData(events)?.mentionEveryone).toBe(false));
    given(messageDecider).when(send({ content: 'hey @everyone', authorId: owner })).then((events) => expect(sentData(events)?.mentionEveryone).toBe(true));
    given(messageDecider).when(send({ content: 'mail me at a@everyone.io', authorId: owner })).then((events) => expect(sentData(events)?.mentionEveryone).toBe(false));
  });
});
