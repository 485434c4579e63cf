import { describe, expect, it } from 'vitest';
import * as pick from '../../../src/commands/notifications/recipients.ts';
import { DEFAULT_EVERYONE_PERMISSIONS, type Permission } from '../../../src/commands/permissions/catalogue.ts';
import { initialRevoltState, type ChannelState, type RevoltState } from '../../../src/commands/revolts/state.ts';

const id = (n: number) => n.toString(16).padStart(24, '0');
const [owner, mod, ada, bob, carol] = [1, 2, 3, 4, 5].map(id) as [string, string, string, string, string];
const roles = { everyone: id(0x10), mods: id(0x11), team: id(0x12) };
const channels = { general: id(0x20), secret: id(0x21), voice: id(0x22) };

const channel = (channelId: string, type: ChannelState['type'], isPrivate = false, overwrites: ChannelState['overwrites'] = []): ChannelState => ({
  channelId,
  name: channelId === channels.general ? 'general' : 'other',
  type,
  position: 0,
  overwrites,
  settings: { isPrivate } as ChannelState['settings'],
});
const member = (userId: string, memberRoles: string[] = [], permissions: Permission[] = []) => [userId, { userId, username: userId, roles: memberRoles, permissions, joinedAt: '' }] as const;

/** A revolt: the owner; a moderator (a role with KICK_MEMBERS); ada and bob in the team role; carol; a private channel only the team may view. */
function revolt(): RevoltState {
  return {
    ...initialRevoltState,
    exists: true,
    revoltId: id(0x30),
    ownerId: owner,
    name: 'Rebels',
    everyoneRoleId: roles.everyone,
    roles: new Map([
      [roles.everyone, { id: roles.everyone, name: '@everyone', color: '#000000', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0, isManaged: true }],
      [roles.mods, { id: roles.mods, name: 'mods', color: '#000000', permissions: ['KICK_MEMBERS'], position: 2, isManaged: false }],
      [roles.team, { id: roles.team, name: 'team', color: '#000000', permissions: [], position: 1, isManaged: false }],
    ]),
    members: new Map([member(owner), member(mod, [roles.mods]), member(ada, [roles.team]), member(bob, [roles.team]), member(carol)]),
    bans: new Set([id(0x99)]),
    channels: new Map([
      [channels.general, channel(channels.general, 'text')],
      [channels.secret, channel(channels.secret, 'text', true, [{ type: 'role', id: roles.team, allow: ['VIEW_CHANNEL'], deny: [] }])],
      [channels.voice, channel(channels.voice, 'voice')],
    ]),
  };
}

const prefs = (overrides: Partial<Record<keyof pick.RevoltPreferences, string[]>> = {}): pick.RevoltPreferences => ({
  muted: new Set(overrides.muted),
  mentionsOnly: new Set(overrides.mentionsOnly),
  suppressJoinLeave: new Set(overrides.suppressJoinLeave),
});
const message = (overrides: Partial<pick.SentMessage> = {}): pick.SentMessage => ({
  authorId: ada,
  channelId: channels.general,
  mentions: [],
  roleMentions: [],
  mentionEveryone: false,
  ...overrides,
});
const sorted = (ids: string[]) => [...ids].sort();

describe('who hears of joins and leaves', () => {
  it('the owner and whoever holds a role that manages members, but not the member who came or went', () => {
    expect(sorted(pick.joinLeaveRecipients(revolt(), carol, prefs()))).toEqual(sorted([owner, mod]));
    expect(pick.joinLeaveRecipients(revolt(), mod, prefs())).toEqual([owner]);
  });

  it('not those who opted out of joins and leaves, muted the revolt or keep only mentions', () => {
    expect(pick.joinLeaveRecipients(revolt(), carol, prefs({ suppressJoinLeave: [owner] }))).toEqual([mod]);
    expect(pick.joinLeaveRecipients(revolt(), carol, prefs({ muted: [owner], mentionsOnly: [mod] }))).toEqual([]);
  });

  it('nobody in a deleted revolt', () => {
    expect(pick.joinLeaveRecipients({ ...revolt(), deleted: true }, carol, prefs())).toEqual([]);
  });

  it('a kick or ban is told as a leave to the managers but the one who removed the member', () => {
    expect(pick.removalRecipients(revolt(), carol, mod, prefs())).toEqual([owner]);
    expect(pick.removalRecipients(revolt(), carol, owner, prefs())).toEqual([mod]);
    expect(pick.removalRecipients(revolt(), carol, owner, prefs({ suppressJoinLeave: [mod] }))).toEqual([]);
  });
});

describe('a member who left or was banned hears nothing more of the revolt, whatever the notification', () => {
  /** The revolt after `gone` left (or, `banned`, was banned): no longer among its members. */
  const without = (gone: string, banned: boolean): RevoltState => {
    const after = revolt();
    after.members.delete(gone);
    if (banned) after.bans = new Set([...after.bans, gone]);
    return after;
  };

  it.each([false, true])('banned: %s', (banned) => {
    const gone = without(mod, banned);
    expect(pick.joinLeaveRecipients(gone, carol, prefs())).toEqual([owner]);
    expect(pick.removalRecipients(gone, carol, owner, prefs())).toEqual([]);
    expect(pick.mentionRecipients(gone, message({ mentions: [mod] }), prefs())).toEqual([]);
    expect(pick.mentionRecipients(gone, message({ roleMentions: [roles.mods] }), prefs())).toEqual([]);
    expect(pick.mentionRecipients(gone, message({ mentionEveryone: true }), prefs())).not.toContain(mod);
    expect(pick.replyRecipient(gone, message(), mod, prefs())).toEqual([]);
    expect(pick.voiceInviteRecipient(gone, channels.voice, mod, prefs())).toEqual([]);
    // Banned: not invited back either; having left, an invite to come back is what a revolt invite is for.
    expect(pick.revoltInviteRecipient(gone, mod, prefs())).toEqual(banned ? [] : [mod]);
  });

  it('an owner is told of donations only while the revolt lives', () => {
    expect(pick.ownerRecipient({ ...revolt(), deleted: true }, prefs())).toEqual([]);
  });
});

describe('who a message mentions', () => {
  it('mentioned users, never the author', () => {
    expect(pick.mentionRecipients(revolt(), message({ mentions: [bob, ada] }), prefs())).toEqual([bob]);
  });

  it("a role's holders, and everyone for @everyone: only those who may read the channel", () => {
    expect(sorted(pick.mentionRecipients(revolt(), message({ roleMentions: [roles.team], authorId: carol }), prefs()))).toEqual(sorted([ada, bob]));
    expect(sorted(pick.mentionRecipients(revolt(), message({ mentionEveryone: true }), prefs()))).toEqual(sorted([owner, mod, bob, carol]));
    expect(sorted(pick.mentionRecipients(revolt(), message({ mentionEveryone: true, channelId: channels.secret }), prefs()))).toEqual(sorted([owner, bob]));
    expect(pick.mentionRecipients(revolt(), message({ mentions: [carol], channelId: channels.secret }), prefs())).toEqual([]);
  });

  it('a member who left is not told, nor one who muted the revolt; mentions-only keeps mentions', () => {
    const left = revolt();
    left.members.delete(bob);
    expect(pick.mentionRecipients(left, message({ mentions: [bob] }), prefs())).toEqual([]);
    expect(pick.mentionRecipients(revolt(), message({ mentions: [bob] }), prefs({ muted: [bob] }))).toEqual([]);
    expect(pick.mentionRecipients(revolt(), message({ mentions: [bob] }), prefs({ mentionsOnly: [bob], suppressJoinLeave: [bob] }))).toEqual([bob]);
  });
});

describe('replies, donations and invites', () => {
  it("a reply goes to the replied message's author, unless they replied to themself or can no longer read the channel", () => {
    expect(pick.replyRecipient(revolt(), message(), bob, prefs())).toEqual([bob]);
    expect(pick.replyRecipient(revolt(), message(), ada, prefs())).toEqual([]);
    expect(pick.replyRecipient(revolt(), message({ channelId: channels.secret }), carol, prefs())).toEqual([]);
    expect(pick.replyRecipient(revolt(), message(), bob, prefs({ muted: [bob] }))).toEqual([]);
  });

  it('a donation goes to the owner, unless they muted the revolt or keep only mentions', () => {
    expect(pick.ownerRecipient(revolt(), prefs())).toEqual([owner]);
    expect(pick.ownerRecipient(revolt(), prefs({ mentionsOnly: [owner] }))).toEqual([]);
  });

  it('a revolt invite reaches no member and no one banned; a voice invite only a member who may connect there', () => {
    const stranger = id(0x77);
    expect(pick.revoltInviteRecipient(revolt(), stranger, prefs())).toEqual([stranger]);
    expect(pick.revoltInviteRecipient(revolt(), bob, prefs())).toEqual([]);
    expect(pick.revoltInviteRecipient(revolt(), id(0x99), prefs())).toEqual([]);
    expect(pick.voiceInviteRecipient(revolt(), channels.voice, bob, prefs())).toEqual([bob]);
    expect(pick.voiceInviteRecipient(revolt(), channels.voice, stranger, prefs())).toEqual([]);
    expect(pick.voiceInviteRecipient(revolt(), channels.voice, bob, prefs({ muted: [bob] }))).toEqual([]);
  });
});
