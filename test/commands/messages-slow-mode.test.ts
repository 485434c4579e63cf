import { describe, expect, it } from 'vitest';
import { slowModeSeconds } from '../../src/commands/messages/slow-mode.ts';
import type { RevoltState } from '../../src/commands/revolts/state.ts';
import { ids, revolt, withChannel } from './messages-fixture.ts';

const slow = withChannel(revolt, ids.general, { settings: { slowMode: 30 } });
const managerRole = (permission: 'MANAGE_CHANNELS'): RevoltState => {
  const role = { id: 'f'.repeat(24), name: 'managers', color: '#000000', permissions: [permission], position: 2, isManaged: false };
  const carol = slow.members.get(ids.carol)!;
  return { ...slow, roles: new Map(slow.roles).set(role.id, role), members: new Map(slow.members).set(ids.carol, { ...carol, roles: [role.id] }) };
};
const overwrite = withChannel(slow, ids.general, { overwrites: [{ type: 'member', id: ids.bob, allow: ['MANAGE_MESSAGES'], deny: [] }] });

describe('slow mode: who waits, and how long', () => {
  it.each<[string, RevoltState, string, string, number]>([
    ['a plain member waits the channel slow mode', slow, ids.general, ids.bob, 30],
    ['nobody waits where slow mode is off', slow, ids.other, ids.bob, 0],
    ['nobody waits where slow mode is off (default channel)', revolt, ids.general, ids.bob, 0],
    ['the owner is exempt', slow, ids.general, ids.owner, 0],
    ['MANAGE_MESSAGES (role) is exempt', slow, ids.general, ids.mod, 0],
    ['MANAGE_CHANNELS (role) is exempt', managerRole('MANAGE_CHANNELS'), ids.general, ids.carol, 0],
    ['MANAGE_MESSAGES granted in the channel is exempt', overwrite, ids.general, ids.bob, 0],
    ['a non-member is refused by the send, not slowed', slow, ids.general, ids.stranger, 0],
    ['an unknown channel is refused by the send, not slowed', slow, 'f'.repeat(24), ids.bob, 0],
  ])('%s', (_, state, channelId, userId, seconds) => {
    expect(slowModeSeconds(state, channelId, userId)).toBe(seconds);
  });
});
