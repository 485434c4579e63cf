import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/commands/decider.ts';
import { revoltDecider } from '../../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../../src/commands/revolts/events.ts';
import { evolveRevolt, evolveRevoltBatch, initialRevoltState, type RevoltState } from '../../../src/commands/revolts/state.ts';
import { ALICE, BOB, CAROL, GENERAL, MOD, MOD_ROLE, OWNER, R, revoltHistory, VOICE } from '../voice-scene.ts';

const at = '2026-01-02T00:00:00.000Z';
const CATEGORY = '9'.repeat(24);
const DAN = '6'.repeat(24);
const settings = { isNsfw: false, slowMode: 0, isPrivate: false, archived: false };

/** The scene's revolt, then every kind of change: each branch of the evolution, some of them no-ops. */
const events: RevoltEvent[] = [
  ...revoltHistory(),
  { type: 'ChannelCreated', data: { revoltId: R, channelId: CATEGORY, name: 'cat', type: 'category', position: 5, settings, createdAt: at } },
  { type: 'ChannelUpdated', data: { revoltId: R, channelId: GENERAL, changes: { categoryId: CATEGORY, name: 'lobby', settings: { slowMode: 5 } }, at } },
  { type: 'ChannelUpdated', data: { revoltId: R, channelId: VOICE, changes: { categoryId: CATEGORY }, at } },
  { type: 'ChannelUpdated', data: { revoltId: R, channelId: VOICE, changes: { categoryId: null }, at } },
  { type: 'ChannelPermissionsSet', data: { revoltId: R, channelId: GENERAL, overwrite: { type: 'role', id: MOD_ROLE, allow: ['SEND_MESSAGES'], deny: [] }, at } },
  { type: 'ChannelPermissionsSet', data: { revoltId: R, channelId: GENERAL, overwrite: { type: 'member', id: ALICE, allow: [], deny: ['VIEW_CHANNEL'] }, at } },
  { type: 'ChannelPermissionsRemoved', data: { revoltId: R, channelId: GENERAL, targetId: ALICE, at } },
  { type: 'MemberRoleGranted', data: { revoltId: R, userId: ALICE, roleId: MOD_ROLE, by: OWNER, at } },
  { type: 'MemberRoleGranted', data: { revoltId: R, userId: ALICE, roleId: MOD_ROLE, by: OWNER, at } },
  { type: 'MemberRoleRevoked', data: { revoltId: R, userId: MOD, roleId: MOD_ROLE, by: OWNER, at } },
  { type: 'MemberRoleGranted', data: { revoltId: R, userId: DAN, roleId: MOD_ROLE, by: OWNER, at } },
  { type: 'RoleUpdated', data: { revoltId: R, roleId: MOD_ROLE, changes: { name: 'mods', permissions: ['KICK_MEMBERS'] }, at } },
  { type: 'RoleUpdated', data: { revoltId: R, roleId: 'missing', changes: { name: 'x' }, at } },
  { type: 'RevoltUpdated', data: { revoltId: R, changes: { name: 'R2', settings: { slowMode: 10, systemChannelId: GENERAL } }, updatedAt: at } },
  { type: 'InviteCodeSet', data: { revoltId: R, inviteCode: 'INVITE02', previousCode: 'INVITE01' } },
  { type: 'MemberJoined', data: { revoltId: R, revoltName: 'R2', userId: DAN, username: 'dan', isOwner: false, joinedAt: at } },
  { type: 'MemberLeft', data: { revoltId: R, userId: BOB, at } },
  { type: 'MemberLeft', data: { revoltId: R, userId: BOB, at } },
  { type: 'MemberKicked', data: { revoltId: R, userId: CAROL, by: OWNER, at } },
  { type: 'MemberBanned', data: { revoltId: R, userId: DAN, by: OWNER, wasMember: true, at } },
  { type: 'MemberBanned', data: { revoltId: R, userId: BOB, by: OWNER, wasMember: false, at } },
  { type: 'MemberUnbanned', data: { revoltId: R, userId: BOB, by: OWNER, at } },
  { type: 'MemberUnbanned', data: { revoltId: R, userId: CAROL, by: OWNER, at } },
  { type: 'RoleDeleted', data: { revoltId: R, roleId: MOD_ROLE, at } },
  { type: 'ChannelDeleted', data: { revoltId: R, channelId: CATEGORY, at } },
  { type: 'OwnershipTransferred', data: { revoltId: R, from: OWNER, to: ALICE, at } },
  { type: 'RevoltDeleted', data: { revoltId: R, deletedBy: ALICE, deletedAt: at } },
];

/** Every state on the way, one event at a time, each kept as it was handed out. */
function oneByOne(): { states: RevoltState[]; copies: RevoltState[] } {
  const states = [initialRevoltState];
  const copies = [structuredClone(initialRevoltState)];
  for (const event of events) {
    const next = evolveRevolt(states.at(-1)!, event);
    states.push(next);
    copies.push(structuredClone(next));
  }
  return { states, copies };
}

describe('folding a revolt in batches', () => {
  it('given every kind of event: a batch from any state equals folding one by one, and leaves every state it started from as it was', () => {
    const { states, copies } = oneByOne();
    // Each one-by-one state is still what it was when it was handed out: no later event changed it.
    expect(states).toEqual(copies);
    const final = states.at(-1)!;
    expect(final).toMatchObject({ deleted: true, ownerId: ALICE, name: 'R2', inviteCode: 'INVITE02', systemChannelSince: at });
    expect([...final.members.keys()]).toEqual([OWNER, MOD, ALICE]);
    expect([...final.bans]).toEqual([DAN]);
    expect(final.roles.has(MOD_ROLE)).toBe(false);
    expect(final.members.get(ALICE)?.roles).toEqual([]);
    expect(final.channels.get(GENERAL)).not.toHaveProperty('categoryId');
    expect(final.channels.get(GENERAL)?.overwrites).toEqual([]);

    for (let split = 0; split <= events.length; split++) {
      const from = states[split]!;
      const batched = evolveRevoltBatch(from, events.slice(split));
      expect(batched, `from event ${split}`).toEqual(final);
      expect(from, `the state at ${split} is untouched`).toEqual(copies[split]);
    }
    expect(fold(revoltDecider, events)).toEqual(final);
    expect(evolveRevoltBatch(final, [])).toBe(final);
  });

  it("never changes a member object in place: a batch's changes to a member are a new object", () => {
    const before = fold(revoltDecider, revoltHistory());
    const alice = before.members.get(ALICE)!;
    const aliceCopy = structuredClone(alice);
    const after = evolveRevoltBatch(before, [
      { type: 'MemberRoleGranted', data: { revoltId: R, userId: ALICE, roleId: MOD_ROLE, by: OWNER, at } },
      { type: 'RoleDeleted', data: { revoltId: R, roleId: MOD_ROLE, at } },
    ]);
    expect(alice).toEqual(aliceCopy);
    expect(before.members.get(ALICE)).toBe(alice);
    expect(after.members.get(ALICE)).not.toBe(alice);
    expect(after.members.get(MOD)!.roles).toEqual([]);
    expect(before.members.get(MOD)!.roles).toEqual([MOD_ROLE]);
  });
});
