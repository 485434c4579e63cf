import { describe, expect, it } from 'vitest';
import { revoltDecider, type RevoltCommand } from '../../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../../src/commands/revolts/events.ts';
import { given } from '../../support/decider.ts';
import { UNGATED } from '../../support/features.ts';

const at = '2026-01-01T00:00:00.000Z';
const id = (c: string) => c.repeat(24);
const [R, EVERYONE, GENERAL] = [id('a'), id('b'), id('c')];
const [OWNER, ALICE, OUTSIDER] = [id('1'), id('3'), id('9')];

/** A revolt (public unless said otherwise) with its owner and Alice, a plain member. */
function history(isPublic: boolean): RevoltEvent[] {
  const settings = { isPublic, verificationLevel: 0, maxMembers: 100, allowInvites: true, slowMode: 0, contentFilter: 0, region: 'auto', premiumTier: 0 };
  return [
    { type: 'RevoltCreated', data: { revoltId: R, ownerId: OWNER, name: 'R', description: '', settings, inviteCode: 'INVITE01', createdAt: at } },
    { type: 'RoleCreated', data: { revoltId: R, roleId: EVERYONE, name: '@everyone', color: '#ffffff', permissions: ['VIEW_CHANNEL', 'SEND_MESSAGES', 'CREATE_INVITES'], position: 0, isManaged: true, createdAt: at } },
    { type: 'ChannelCreated', data: { revoltId: R, channelId: GENERAL, name: 'general', type: 'text', position: 0, settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false }, createdAt: at } },
    ...[OWNER, ALICE].map((userId): RevoltEvent => ({ type: 'MemberJoined', data: { revoltId: R, revoltName: 'R', userId, username: userId, isOwner: userId === OWNER, joinedAt: at } })),
  ];
}

const inPublic = (command: RevoltCommand) => given(revoltDecider, history(true)).when(command);
const inPrivate = (command: RevoltCommand) => given(revoltDecider, history(false)).when(command);

describe('the revolt decider answers with the one access rule', () => {
  it('a non-member acting on a public revolt they can read is refused with 403, not told the revolt is not there', () => {
    inPublic({ type: 'KickMember', actorId: OUTSIDER, userId: ALICE, at }).thenFails(403, 'forbidden');
    inPublic({ type: 'BanMember', actorId: OUTSIDER, userId: ALICE, at }).thenFails(403, 'forbidden');
    inPublic({ type: 'UpdateRevolt', actorId: OUTSIDER, changes: { name: 'Mine' }, features: UNGATED, at }).thenFails(403, 'forbidden');
    inPublic({ type: 'CreateRole', actorId: OUTSIDER, roleId: id('d'), name: 'x', color: '#000000', permissions: [], at }).thenFails(403, 'forbidden');
    inPublic({ type: 'DeleteRevolt', actorId: OUTSIDER, at }).thenFails(403, 'forbidden');
    const { state } = given(revoltDecider, history(true));
    expect(() => revoltDecider.decide({ type: 'KickMember', actorId: OUTSIDER, userId: ALICE, at }, state)).toThrow(
      expect.objectContaining({ details: { missing: ['KICK_MEMBERS'] } }),
    );
  });

  it('a revolt they cannot see stays not found', () => {
    inPrivate({ type: 'KickMember', actorId: OUTSIDER, userId: ALICE, at }).thenFails(404, 'not_found');
    inPrivate({ type: 'UpdateRevolt', actorId: OUTSIDER, changes: { name: 'Mine' }, features: UNGATED, at }).thenFails(404, 'not_found');
    inPrivate({ type: 'DeleteRevolt', actorId: OUTSIDER, at }).thenFails(404, 'not_found');
  });

  it("a channel is seen from inside only: a non-member's channel command is not found", () => {
    inPublic({ type: 'UpdateChannel', actorId: OUTSIDER, channelId: GENERAL, changes: { name: 'mine' }, at }).thenFails(404, 'not_found');
    inPublic({ type: 'UpdateChannel', actorId: ALICE, channelId: GENERAL, changes: { name: 'mine' }, at }).thenFails(403, 'forbidden');
  });
});
