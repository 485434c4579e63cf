/** A revolt and messages to decide against, shared by the messages-*.test.ts decider tests. */
import { fold } from '../../src/commands/decider.ts';
import type { MessageCommandOf } from '../../src/commands/messages/decide.ts';
import type { MessageEvent, MessageSentData } from '../../src/commands/messages/events.ts';
import type { Permission } from '../../src/commands/permissions/catalogue.ts';
import type { Overwrite } from '../../src/commands/permissions/resolve.ts';
import { revoltDecider } from '../../src/commands/revolts/decide.ts';
import type { ChannelSettings, RevoltEvent } from '../../src/commands/revolts/events.ts';
import type { RevoltState } from '../../src/commands/revolts/state.ts';
import { UNGATED } from '../support/features.ts';

export const at = '2026-01-01T00:00:00.000Z';
export const later = '2026-01-01T00:05:00.000Z';
export const ids = {
  revolt: 'a'.repeat(24),
  everyone: 'b'.repeat(24),
  general: 'c'.repeat(24),
  other: 'c'.repeat(23) + 'd',
  modRole: 'e'.repeat(24),
  owner: '1'.repeat(24),
  bob: '2'.repeat(24),
  carol: '3'.repeat(24),
  mod: '4'.repeat(24),
  stranger: '9'.repeat(24),
  message: 'd'.repeat(24),
  message2: 'd'.repeat(23) + 'e',
};

const joined = (userId: string, username: string): RevoltEvent => ({
  type: 'MemberJoined',
  data: { revoltId: ids.revolt, revoltName: 'R', userId, username, isOwner: false, joinedAt: at },
});

const history: RevoltEvent[] = [
  ...revoltDecider.decide(
    {
      type: 'CreateRevolt',
      revoltId: ids.revolt,
      everyoneRoleId: ids.everyone,
      defaultChannelId: ids.general,
      inviteCode: 'INVITE01',
      owner: { userId: ids.owner, username: 'owner' },
      name: 'R',
      description: '',
      settings: {},
      features: UNGATED,
      at,
    },
    revoltDecider.initialState,
  ),
  joined(ids.bob, 'bob'),
  joined(ids.carol, 'carol'),
  joined(ids.mod, 'mod'),
  {
    type: 'RoleCreated',
    data: { revoltId: ids.revolt, roleId: ids.modRole, name: 'mods', color: '#ff0000', permissions: ['MANAGE_MESSAGES'], position: 1, isManaged: false, createdAt: at },
  },
  { type: 'MemberRoleGranted', data: { revoltId: ids.revolt, userId: ids.mod, roleId: ids.modRole, by: ids.owner, at } },
  {
    type: 'ChannelCreated',
    data: {
      revoltId: ids.revolt,
      channelId: ids.other,
      name: 'other',
      type: 'text',
      position: 1,
      settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false },
      createdAt: at,
    },
  },
];

/** owner, bob, carol (plain members) and mod (role with MANAGE_MESSAGES); channels general and other. */
export const revolt: RevoltState = fold(revoltDecider, history);

export function withEveryone(state: RevoltState, permissions: Permission[]): RevoltState {
  const role = state.roles.get(ids.everyone)!;
  return { ...state, roles: new Map(state.roles).set(ids.everyone, { ...role, permissions }) };
}

export function withChannel(state: RevoltState, channelId: string, change: { settings?: Partial<ChannelSettings>; overwrites?: Overwrite[] }): RevoltState {
  const channel = state.channels.get(channelId)!;
  const updated = { ...channel, settings: { ...channel.settings, ...change.settings }, overwrites: change.overwrites ?? channel.overwrites };
  return { ...state, channels: new Map(state.channels).set(channelId, updated) };
}

export function sentBy(authorId: string, overrides: Partial<MessageSentData> = {}): MessageEvent {
  return {
    type: 'MessageSent',
    data: {
      messageId: ids.message,
      channelId: ids.general,
      revoltId: ids.revolt,
      authorId,
      content: 'hello',
      type: 'text',
      mentions: [],
      roleMentions: [],
      channelMentions: [],
      mentionEveryone: false,
      createdAt: at,
      ...overrides,
    },
  };
}

export const deletedBy = (deleter: string): MessageEvent => ({
  type: 'MessageDeleted',
  data: { messageId: ids.message, channelId: ids.general, revoltId: ids.revolt, deletedBy: deleter, deletedAt: later },
});

export const sendCommand = (overrides: Partial<MessageCommandOf<'SendMessage'>> = {}): MessageCommandOf<'SendMessage'> => ({
  type: 'SendMessage',
  messageId: ids.message,
  channelId: ids.general,
  authorId: ids.bob,
  content: 'hello',
  revolt,
  at,
  ...overrides,
});

/** The data of the first event, whatever its type (for assertions on one field). */
export const dataOf = (events: MessageEvent[]) => events[0]?.data as Record<string, unknown> | undefined;
