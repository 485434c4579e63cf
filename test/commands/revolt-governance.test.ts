import { describe, expect, it } from 'vitest';
import { fold } from '../../src/commands/decider.ts';
import { revoltDecider, type RevoltCommand } from '../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../src/commands/revolts/events.ts';
import type { Permission } from '../../src/commands/permissions/catalogue.ts';
import { given } from '../support/decider.ts';
import { UNGATED } from '../support/features.ts';

const at = '2026-01-01T00:00:00.000Z';
const id = (c: string) => c.repeat(24);
const R = id('a');
const EVERYONE = id('b');
const GENERAL = id('c');
const [OWNER, MOD, ALICE, BOB, OUTSIDER] = [id('1'), id('2'), id('3'), id('4'), id('9')];
const MOD_ROLE = id('d');
const HELPER_ROLE = id('e');

/** A revolt with an owner, a moderator (role at 10 with kick/ban/roles/channels), and two plain members. */
function history(): RevoltEvent[] {
  const events: RevoltEvent[] = revoltDecider.decide(
    { type: 'CreateRevolt', revoltId: R, everyoneRoleId: EVERYONE, defaultChannelId: GENERAL, inviteCode: 'INVITE01', owner: { userId: OWNER, username: 'owner' }, name: 'R', description: '', settings: {}, features: UNGATED, at },
    revoltDecider.initialState,
  );
  for (const [userId, username] of [[MOD, 'mod'], [ALICE, 'alice'], [BOB, 'bob']] as const) {
    events.push({ type: 'MemberJoined', data: { revoltId: R, revoltName: 'R', userId, username, isOwner: false, joinedAt: at } });
  }
  events.push(
    { type: 'RoleCreated', data: { revoltId: R, roleId: MOD_ROLE, name: 'mod', color: '#ffffff', permissions: ['KICK_MEMBERS', 'BAN_MEMBERS', 'MANAGE_ROLES', 'MANAGE_CHANNELS', 'MANAGE_MESSAGES'], position: 10, isManaged: false, createdAt: at } },
    { type: 'RoleCreated', data: { revoltId: R, roleId: HELPER_ROLE, name: 'helper', color: '#ffffff', permissions: [], position: 5, isManaged: false, createdAt: at } },
    { type: 'MemberRoleGranted', data: { revoltId: R, userId: MOD, roleId: MOD_ROLE, by: OWNER, at } },
  );
  return events;
}
const h = history();
const decide = (command: RevoltCommand, extra: RevoltEvent[] = []) => given(revoltDecider, [...h, ...extra]).when(command);
const stateAfter = (extra: RevoltEvent[]) => fold(revoltDecider, [...h, ...extra]);

describe('members: leave, kick, ban, transfer', () => {
  it('a member leaves; the owner may not', () => {
    decide({ type: 'LeaveRevolt', actorId: ALICE, at }).then([{ type: 'MemberLeft', data: { revoltId: R, userId: ALICE, at } }]);
    decide({ type: 'LeaveRevolt', actorId: OWNER, at }).thenFails(422, 'owner_cannot_leave');
    decide({ type: 'LeaveRevolt', actorId: OUTSIDER, at }).thenFails(404, 'not_found');
  });

  it('kicking needs KICK_MEMBERS and a lower-ranked target; never the owner', () => {
    decide({ type: 'KickMember', actorId: MOD, userId: ALICE, reason: 'spam', at }).then([
      { type: 'MemberKicked', data: { revoltId: R, userId: ALICE, by: MOD, reason: 'spam', at } },
    ]);
    decide({ type: 'KickMember', actorId: ALICE, userId: BOB, at }).thenFails(403, 'forbidden');
    decide({ type: 'KickMember', actorId: MOD, userId: OWNER, at }).thenFails(403, 'forbidden');
    decide({ type: 'KickMember', actorId: MOD, userId: OUTSIDER, at }).thenFails(404, 'not_found');
    const aliceIsMod: RevoltEvent = { type: 'MemberRoleGranted', data: { revoltId: R, userId: ALICE, roleId: MOD_ROLE, by: OWNER, at } };
    decide({ type: 'KickMember', actorId: MOD, userId: ALICE, at }, [aliceIsMod]).thenFails(403, 'forbidden');
    decide({ type: 'KickMember', actorId: OWNER, userId: MOD, at }).then((events) => expect(events).toHaveLength(1));
  });

  it('a kicked member is gone; they may rejoin by invite, unlike a banned one', () => {
    const kicked: RevoltEvent = { type: 'MemberKicked', data: { revoltId: R, userId: ALICE, by: MOD, at } };
    expect(stateAfter([kicked]).members.has(ALICE)).toBe(false);
    decide({ type: 'JoinRevolt', user: { userId: ALICE, username: 'alice' }, inviteCode: 'INVITE01', at }, [kicked]).then((e) => expect(e).toHaveLength(1));
    const banned: RevoltEvent = { type: 'MemberBanned', data: { revoltId: R, userId: ALICE, by: MOD, wasMember: true, at } };
    expect(stateAfter([banned]).members.has(ALICE)).toBe(false);
    decide({ type: 'JoinRevolt', user: { userId: ALICE, username: 'alice' }, inviteCode: 'INVITE01', at }, [banned]).thenFails(403, 'forbidden');
  });

  it('bans: BAN_MEMBERS, hierarchy, pre-bans of non-members, idempotent; unban lifts it', () => {
    decide({ type: 'BanMember', actorId: MOD, userId: OUTSIDER, at }).then([{ type: 'MemberBanned', data: { revoltId: R, userId: OUTSIDER, by: MOD, wasMember: false, at } }]);
    decide({ type: 'BanMember', actorId: ALICE, userId: BOB, at }).thenFails(403, 'forbidden');
    decide({ type: 'BanMember', actorId: MOD, userId: OWNER, at }).thenFails(403, 'forbidden');
    const banned: RevoltEvent = { type: 'MemberBanned', data: { revoltId: R, userId: BOB, by: MOD, wasMember: true, at } };
    decide({ type: 'BanMember', actorId: MOD, userId: BOB, at }, [banned]).then([]);
    decide({ type: 'UnbanMember', actorId: MOD, userId: BOB, at }, [banned]).then([{ type: 'MemberUnbanned', data: { revoltId: R, userId: BOB, by: MOD, at } }]);
    decide({ type: 'UnbanMember', actorId: MOD, userId: BOB, at }).then([]);
    expect(stateAfter([banned, { type: 'MemberUnbanned', data: { revoltId: R, userId: BOB, by: MOD, at } }]).bans.has(BOB)).toBe(false);
  });

  it('only the owner transfers ownership, to a member', () => {
    decide({ type: 'TransferOwnership', actorId: OWNER, userId: ALICE, at }).then([{ type: 'OwnershipTransferred', data: { revoltId: R, from: OWNER, to: ALICE, at } }]);
    decide({ type: 'TransferOwnership', actorId: MOD, userId: ALICE, at }).thenFails(403, 'forbidden');
    decide({ type: 'TransferOwnership', actorId: OWNER, userId: OUTSIDER, at }).thenFails(404, 'not_found');
    const transferred: RevoltEvent = { type: 'OwnershipTransferred', data: { revoltId: R, from: OWNER, to: ALICE, at } };
    decide({ type: 'LeaveRevolt', actorId: OWNER, at }, [transferred]).then((e) => expect(e).toHaveLength(1));
  });
});

describe('roles', () => {
  it('creating a role needs MANAGE_ROLES, a position below your highest, and only permissions you hold', () => {
    decide({ type: 'CreateRole', actorId: MOD, roleId: id('f'), name: 'new', color: '#000000', permissions: ['KICK_MEMBERS'], at }).then([
      { type: 'RoleCreated', data: { revoltId: R, roleId: id('f'), name: 'new', color: '#000000', permissions: ['KICK_MEMBERS'], position: 9, isManaged: false, createdAt: at } },
    ]);
    decide({ type: 'CreateRole', actorId: ALICE, roleId: id('f'), name: 'x', color: '#000000', permissions: [], at }).thenFails(403, 'forbidden');
    decide({ type: 'CreateRole', actorId: MOD, roleId: id('f'), name: 'x', color: '#000000', permissions: [], position: 10, at }).thenFails(403, 'forbidden');
    decide({ type: 'CreateRole', actorId: MOD, roleId: id('f'), name: 'x', color: '#000000', permissions: ['ADMINISTRATOR'], at }).thenFails(403, 'forbidden');
    decide({ type: 'CreateRole', actorId: OWNER, roleId: id('f'), name: 'x', color: '#000000', permissions: ['ADMINISTRATOR'], position: 50, at }).then((e) => expect(e).toHaveLength(1));
  });

  it('nobody edits or deletes a role at or above their highest; @everyone keeps its name and position', () => {
    decide({ type: 'UpdateRole', actorId: MOD, roleId: MOD_ROLE, changes: { name: 'boss' }, at }).thenFails(403, 'forbidden');
    decide({ type: 'UpdateRole', actorId: MOD, roleId: HELPER_ROLE, changes: { name: 'helpers', position: 11 }, at }).thenFails(403, 'forbidden');
    decide({ type: 'UpdateRole', actorId: MOD, roleId: HELPER_ROLE, changes: { name: 'helpers' }, at }).then([
      { type: 'RoleUpdated', data: { revoltId: R, roleId: HELPER_ROLE, changes: { name: 'helpers' }, at } },
    ]);
    decide({ type: 'UpdateRole', actorId: MOD, roleId: HELPER_ROLE, changes: { name: 'helper' }, at }).then([]);
    decide({ type: 'UpdateRole', actorId: OWNER, roleId: EVERYONE, changes: { name: 'all' }, at }).thenFails(422, 'everyone_role_fixed');
    decide({ type: 'UpdateRole', actorId: OWNER, roleId: EVERYONE, changes: { permissions: ['VIEW_CHANNEL'] }, at }).then((e) => expect(e).toHaveLength(1));
    decide({ type: 'DeleteRole', actorId: MOD, roleId: MOD_ROLE, at }).thenFails(403, 'forbidden');
    decide({ type: 'DeleteRole', actorId: OWNER, roleId: EVERYONE, at }).thenFails(422, 'managed_role');
    decide({ type: 'DeleteRole', actorId: MOD, roleId: HELPER_ROLE, at }).then([{ type: 'RoleDeleted', data: { revoltId: R, roleId: HELPER_ROLE, at } }]);
  });

  it('deleting a role takes it from every member and every overwrite', () => {
    const events: RevoltEvent[] = [
      { type: 'MemberRoleGranted', data: { revoltId: R, userId: ALICE, roleId: HELPER_ROLE, by: OWNER, at } },
      { type: 'ChannelPermissionsSet', data: { revoltId: R, channelId: GENERAL, overwrite: { type: 'role', id: HELPER_ROLE, allow: [], deny: ['SEND_MESSAGES'] }, at } },
      { type: 'RoleDeleted', data: { revoltId: R, roleId: HELPER_ROLE, at } },
    ];
    const state = stateAfter(events);
    expect(state.members.get(ALICE)?.roles).toEqual([]);
    expect(state.channels.get(GENERAL)?.overwrites).toEqual([]);
  });

  it('granting and revoking: roles below yours, to members ranked below you; @everyone is implicit', () => {
    decide({ type: 'GrantRole', actorId: MOD, userId: ALICE, roleId: HELPER_ROLE, at }).then([
      { type: 'MemberRoleGranted', data: { revoltId: R, userId: ALICE, roleId: HELPER_ROLE, by: MOD, at } },
    ]);
    decide({ type: 'GrantRole', actorId: MOD, userId: ALICE, roleId: MOD_ROLE, at }).thenFails(403, 'forbidden');
    decide({ type: 'GrantRole', actorId: MOD, userId: ALICE, roleId: EVERYONE, at }).thenFails(422, 'everyone_role_implicit');
    decide({ type: 'GrantRole', actorId: MOD, userId: OUTSIDER, roleId: HELPER_ROLE, at }).thenFails(404, 'not_found');
    decide({ type: 'RevokeRole', actorId: MOD, userId: ALICE, roleId: HELPER_ROLE, at }).then([]);
    decide({ type: 'RevokeRole', actorId: ALICE, userId: MOD, roleId: MOD_ROLE, at }).thenFails(403, 'forbidden');
  });

  it('granting or revoking a role needs every permission it carries, owner and ADMINISTRATOR aside', () => {
    const [ADMINS, KEEPERS] = [id('7'), id('8')];
    const roles: RevoltEvent[] = [
      { type: 'RoleCreated', data: { revoltId: R, roleId: ADMINS, name: 'admins', color: '#ffffff', permissions: ['ADMINISTRATOR'], position: 5, isManaged: false, createdAt: at } },
      { type: 'RoleCreated', data: { revoltId: R, roleId: KEEPERS, name: 'keepers', color: '#ffffff', permissions: ['KICK_MEMBERS', 'MANAGE_REVOLT'], position: 3, isManaged: false, createdAt: at } },
    ];
    const grant = (actorId: string, userId: string, roleId: string): RevoltCommand => ({ type: 'GrantRole', actorId, userId, roleId, at });
    const granted = (userId: string, roleId: string, by: string): RevoltEvent => ({ type: 'MemberRoleGranted', data: { revoltId: R, userId, roleId, by, at } });
    // MOD holds MANAGE_ROLES at 10: both roles sit below, yet neither may be handed out (to others or to MOD).
    decide(grant(MOD, MOD, ADMINS), roles).thenFails(403, 'forbidden');
    decide(grant(MOD, ALICE, ADMINS), roles).thenFails(403, 'forbidden');
    decide(grant(MOD, ALICE, KEEPERS), roles).thenFails(403, 'forbidden');
    expect(() => revoltDecider.decide(grant(MOD, MOD, ADMINS), stateAfter(roles))).toThrow(
      expect.objectContaining({ status: 403, details: { missing: ['ADMINISTRATOR'] } }),
    );
    // Nor taken away: revoking follows the same rule.
    decide({ type: 'RevokeRole', actorId: MOD, userId: ALICE, roleId: ADMINS, at }, [...roles, granted(ALICE, ADMINS, OWNER)]).thenFails(403, 'forbidden');
    // The owner grants anything; so does a member with ADMINISTRATOR, below their highest role.
    decide(grant(OWNER, ALICE, ADMINS), roles).then([granted(ALICE, ADMINS, OWNER)]);
    decide(grant(ALICE, BOB, KEEPERS), [...roles, granted(ALICE, ADMINS, OWNER)]).then([granted(BOB, KEEPERS, ALICE)]);
    decide({ type: 'RevokeRole', actorId: ALICE, userId: BOB, roleId: KEEPERS, at }, [...roles, granted(ALICE, ADMINS, OWNER), granted(BOB, KEEPERS, OWNER)]).then([
      { type: 'MemberRoleRevoked', data: { revoltId: R, userId: BOB, roleId: KEEPERS, by: ALICE, at } },
    ]);
  });
});

describe('channels', () => {
  const create = (overrides: Partial<Extract<RevoltCommand, { type: 'CreateChannel' }>> = {}): RevoltCommand => ({
    type: 'CreateChannel',
    actorId: MOD,
    channelId: id('5'),
    name: 'voice',
    channelType: 'voice',
    settings: {},
    at,
    ...overrides,
  });

  it('creates channels with type defaults at the next position; needs MANAGE_CHANNELS', () => {
    decide(create()).then([
      {
        type: 'ChannelCreated',
        data: { revoltId: R, channelId: id('5'), name: 'voice', type: 'voice', position: 1, settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false, bitrate: 64000, region: 'auto' }, createdAt: at },
      },
    ]);
    decide(create({ actorId: ALICE })).thenFails(403, 'forbidden');
    decide(create({ channelType: 'text', settings: { bitrate: 96000 } })).thenFails(422, 'settings_not_applicable');
  });

  it('categories hold non-category channels only', () => {
    const category: RevoltEvent[] = given(revoltDecider, h).when(create({ channelId: id('6'), name: 'Cat', channelType: 'category' })).then(() => undefined) as RevoltEvent[];
    decide(create({ categoryId: id('6') }), category).then((e) => expect(e[0]?.data).toMatchObject({ categoryId: id('6') }));
    decide(create({ categoryId: GENERAL })).thenFails(422, 'not_a_category');
    decide(create({ channelType: 'category', categoryId: id('6') }), category).thenFails(422, 'nested_category');
    const deleted = stateAfter([...category, ...revoltDecider.decide(create({ categoryId: id('6') }), stateAfter(category)), { type: 'ChannelDeleted', data: { revoltId: R, channelId: id('6'), at } }]);
    expect(deleted.channels.get(id('5'))?.categoryId).toBeUndefined();
  });

  it('archiving stamps archivedAt; edits need MANAGE_CHANNELS in that channel', () => {
    decide({ type: 'UpdateChannel', actorId: MOD, channelId: GENERAL, changes: { settings: { archived: true } }, at }).then([
      { type: 'ChannelUpdated', data: { revoltId: R, channelId: GENERAL, changes: { settings: { archived: true, archivedAt: at } }, at } },
    ]);
    decide({ type: 'UpdateChannel', actorId: ALICE, channelId: GENERAL, changes: { name: 'x' }, at }).thenFails(403, 'forbidden');
    const denied: RevoltEvent = { type: 'ChannelPermissionsSet', data: { revoltId: R, channelId: GENERAL, overwrite: { type: 'member', id: MOD, allow: [], deny: ['MANAGE_CHANNELS'] }, at } };
    decide({ type: 'UpdateChannel', actorId: MOD, channelId: GENERAL, changes: { name: 'x' }, at }, [denied]).thenFails(403, 'forbidden');
  });

  it('the default channel cannot be deleted', () => {
    decide({ type: 'DeleteChannel', actorId: OWNER, channelId: GENERAL, at }).thenFails(422, 'default_channel');
  });

  it('a private channel exists only for the owner, ADMINISTRATOR and those a role or member overwrite lets in', () => {
    const SECRET = id('6');
    const privateChannel = given(revoltDecider, h).when(create({ actorId: OWNER, channelId: SECRET, name: 'secret', channelType: 'text', settings: { isPrivate: true } })).then(() => undefined) as RevoltEvent[];
    const rename = (actorId: string): RevoltCommand => ({ type: 'UpdateChannel', actorId, channelId: SECRET, changes: { name: 'renamed' }, at });
    const renamed = (): RevoltEvent[] => [{ type: 'ChannelUpdated', data: { revoltId: R, channelId: SECRET, changes: { name: 'renamed' }, at } }];
    const overwrite = (type: 'role' | 'member', targetId: string, allow: Permission[], deny: Permission[] = []): RevoltEvent => ({
      type: 'ChannelPermissionsSet', data: { revoltId: R, channelId: SECRET, overwrite: { type, id: targetId, allow, deny }, at },
    });
    // MOD has MANAGE_CHANNELS revolt-wide, but cannot see the channel: it is missing to them.
    decide(rename(MOD), privateChannel).thenFails(404, 'not_found');
    // An @everyone allow does not undo privacy; a member or role overwrite does.
    decide(rename(MOD), [...privateChannel, overwrite('role', EVERYONE, ['VIEW_CHANNEL'])]).thenFails(404, 'not_found');
    decide(rename(MOD), [...privateChannel, overwrite('member', MOD, ['VIEW_CHANNEL'])]).then(renamed());
    decide(rename(MOD), [...privateChannel, overwrite('role', MOD_ROLE, ['VIEW_CHANNEL'])]).then(renamed());
    decide(rename(OWNER), privateChannel).then(renamed());
    // Making a public channel private hides it the same way.
    decide({ type: 'UpdateChannel', actorId: MOD, channelId: GENERAL, changes: { name: 'x' }, at }, [
      { type: 'ChannelUpdated', data: { revoltId: R, channelId: GENERAL, changes: { settings: { isPrivate: true } }, at } },
    ]).thenFails(404, 'not_found');
  });

  it('overwrites: MANAGE_ROLES, an existing target, no allow/deny overlap, no permissions beyond your own', () => {
    const set = (overrides: Partial<Extract<RevoltCommand, { type: 'SetChannelPermissions' }>>): RevoltCommand => ({
      type: 'SetChannelPermissions', actorId: MOD, channelId: GENERAL, targetType: 'role', targetId: EVERYONE, allow: [], deny: ['VIEW_CHANNEL'], at, ...overrides,
    });
    decide(set({ actorId: ALICE })).thenFails(403, 'forbidden');
    decide(set({ deny: ['ADMINISTRATOR'] })).thenFails(403, 'forbidden');
    decide(set({ actorId: OWNER })).then([
      { type: 'ChannelPermissionsSet', data: { revoltId: R, channelId: GENERAL, overwrite: { type: 'role', id: EVERYONE, allow: [], deny: ['VIEW_CHANNEL'] }, at } },
    ]);
    decide(set({ deny: ['KICK_MEMBERS'] })).then((e) => expect(e).toHaveLength(1));
    decide(set({ allow: ['KICK_MEMBERS'], deny: ['KICK_MEMBERS'] })).thenFails(422, 'allow_deny_overlap');
    decide(set({ targetType: 'member', targetId: OUTSIDER, deny: ['KICK_MEMBERS'] })).thenFails(404, 'not_found');
    decide(set({ targetId: id('7'), deny: ['KICK_MEMBERS'] })).thenFails(404, 'not_found');
  });
});

describe('revolt settings and deletion', () => {
  it('updating needs MANAGE_REVOLT; channel settings must name text channels; maxMembers not below the count', () => {
    decide({ type: 'UpdateRevolt', actorId: OWNER, changes: { name: 'New', settings: { isPublic: false } }, features: UNGATED, at }).then([
      { type: 'RevoltUpdated', data: { revoltId: R, changes: { name: 'New', settings: { isPublic: false } }, updatedAt: at } },
    ]);
    decide({ type: 'UpdateRevolt', actorId: MOD, changes: { name: 'New' }, features: UNGATED, at }).thenFails(403, 'forbidden');
    decide({ type: 'UpdateRevolt', actorId: OWNER, changes: { settings: { rulesChannelId: id('7') } }, features: UNGATED, at }).thenFails(422, 'not_a_text_channel');
    decide({ type: 'UpdateRevolt', actorId: OWNER, changes: { settings: { maxMembers: 3 } }, features: UNGATED, at }).thenFails(422, 'max_members_too_low');
    decide({ type: 'UpdateRevolt', actorId: OWNER, changes: { settings: { premiumTier: 3 } }, features: UNGATED, at }).thenFails(403, 'forbidden');
  });

  it('only the owner deletes; after that the revolt is gone for every command', () => {
    decide({ type: 'DeleteRevolt', actorId: MOD, at }).thenFails(403, 'forbidden');
    const deleted = decide({ type: 'DeleteRevolt', actorId: OWNER, at }).then((e) => e);
    decide({ type: 'LeaveRevolt', actorId: ALICE, at }, deleted).thenFails(404, 'not_found');
    decide({ type: 'JoinRevolt', user: { userId: OUTSIDER, username: 'o' }, inviteCode: 'INVITE01', at }, deleted).thenFails(404, 'not_found');
  });

  it('regenerating the invite retires the old code', () => {
    const regenerated = decide({ type: 'RegenerateInvite', actorId: OWNER, inviteCode: 'NEWCODE1', features: UNGATED }).then((e) => e);
    decide({ type: 'JoinRevolt', user: { userId: OUTSIDER, username: 'o' }, inviteCode: 'INVITE01', at }, regenerated).thenFails(404, 'not_found');
    decide({ type: 'JoinRevolt', user: { userId: OUTSIDER, username: 'o' }, inviteCode: 'NEWCODE1', at }, regenerated).then((e) => expect(e).toHaveLength(1));
    decide({ type: 'RegenerateInvite', actorId: ALICE, inviteCode: 'NEWCODE2', features: UNGATED }).thenFails(403, 'forbidden');
  });
});
