import { describe, expect, it } from 'vitest';
import {
  channelAccess,
  granted,
  requireHeld,
  requireOwner,
  revoltAccess,
  type Access,
  type Grant,
} from '../../../src/commands/permissions/access.ts';
import { toBits, type Permission } from '../../../src/commands/permissions/catalogue.ts';
import type { PermissionRevolt } from '../../../src/commands/permissions/subject.ts';
import { deletedRevolt, MOD, OUTSIDER, OWNER, PLAIN, privateRevolt, revolt, type Channel } from './fixture.ts';

/** An access decision in short: 'allowed', '404 <what>' or '403 <scope>: <missing…>'. */
function outcome(access: Access<Grant>): string {
  if (access.allowed) return 'allowed';
  return access.status === 404 ? `404 ${access.what}` : `403 ${access.scope}: ${access.missing.join(' ')}`;
}

/** given(revolt).when(user acts revolt-wide | in a channel, needing …).then(outcome). */
function given(state: PermissionRevolt<Channel>) {
  const then = (access: Access<Grant>) => ({ then: (expected: string) => expect(outcome(access)).toBe(expected) });
  return {
    whenRevoltWide: (userId: string, needed: Permission[] = []) => then(revoltAccess(state, userId, needed)),
    whenIn: (channelId: string, userId: string, needed: Permission[] = []) => then(channelAccess(state, userId, channelId, needed)),
  };
}

describe('revolt-wide: a revolt one cannot see is 404; one one sees but lacks permissions in is 403', () => {
  it('a member holding what is needed is allowed; one lacking it is told every permission missing', () => {
    given(revolt()).whenRevoltWide(MOD, ['KICK_MEMBERS']).then('allowed');
    given(revolt()).whenRevoltWide(PLAIN, ['KICK_MEMBERS']).then('403 revolt: KICK_MEMBERS');
    given(revolt()).whenRevoltWide(PLAIN, ['KICK_MEMBERS', 'SEND_MESSAGES', 'BAN_MEMBERS']).then('403 revolt: KICK_MEMBERS BAN_MEMBERS');
    given(revolt()).whenRevoltWide(OWNER, ['MANAGE_REVOLT', 'BAN_MEMBERS']).then('allowed');
  });

  it('a non-member of a public revolt sees it but holds nothing there, not even what @everyone holds', () => {
    given(revolt()).whenRevoltWide(OUTSIDER, ['KICK_MEMBERS']).then('403 revolt: KICK_MEMBERS');
    given(revolt()).whenRevoltWide(OUTSIDER, ['SEND_MESSAGES']).then('403 revolt: SEND_MESSAGES');
    // Needing nothing but membership: there is no membership of theirs to act on.
    given(revolt()).whenRevoltWide(OUTSIDER).then('404 member');
  });

  it('a private revolt is not there for a non-member; a deleted one is there for no one', () => {
    given(privateRevolt()).whenRevoltWide(OUTSIDER, ['KICK_MEMBERS']).then('404 revolt');
    given(privateRevolt()).whenRevoltWide(MOD, ['KICK_MEMBERS']).then('allowed');
    given(deletedRevolt()).whenRevoltWide(OWNER).then('404 revolt');
    given(revolt({ exists: false })).whenRevoltWide(OWNER).then('404 revolt');
  });
});

describe('in a channel: a channel one cannot view is 404 (before any 403); one one views but lacks permissions in is 403', () => {
  it('a member viewing the channel with what is needed is allowed; lacking some, is told all of them', () => {
    given(revolt()).whenIn('general', PLAIN, ['SEND_MESSAGES']).then('allowed');
    given(revolt()).whenIn('muted', PLAIN, ['SEND_MESSAGES', 'READ_MESSAGE_HISTORY', 'VIEW_CHANNEL']).then('403 channel: SEND_MESSAGES READ_MESSAGE_HISTORY');
  });

  it('a private channel exists only for those let in (and the owner), whatever else they lack', () => {
    given(revolt()).whenIn('secret', PLAIN).then('404 channel');
    given(revolt()).whenIn('secret', PLAIN, ['MANAGE_CHANNELS']).then('404 channel');
    given(revolt()).whenIn('secret', MOD, ['SEND_MESSAGES']).then('allowed');
    given(revolt()).whenIn('secret', OWNER, ['MANAGE_CHANNELS']).then('allowed');
  });

  it('an unknown channel, a non-member and a deleted revolt: not found', () => {
    given(revolt()).whenIn('nowhere', OWNER).then('404 channel');
    given(revolt()).whenIn('general', OUTSIDER).then('404 channel');
    given(privateRevolt()).whenIn('general', OUTSIDER).then('404 channel');
    given(deletedRevolt()).whenIn('general', OWNER).then('404 revolt');
  });

  it('grants carry the bits held in the channel and the channel itself', () => {
    const access = channelAccess(revolt(), MOD, 'secret');
    expect(access.allowed && access.channel.settings.isPrivate).toBe(true);
    expect(access.allowed && access.bits & toBits(['MANAGE_MESSAGES'])).toBe(toBits(['MANAGE_MESSAGES']));
  });
});

describe('denials as errors: one shape for revolt and channel permissions', () => {
  const thrown = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error;
    }
    throw new Error('expected a denial');
  };

  it('404 names what is not there; 403 lists the missing permissions as an array, revolt-wide and in a channel', () => {
    expect(thrown(() => granted(channelAccess(revolt(), PLAIN, 'secret')))).toMatchObject({ status: 404, code: 'not_found', message: 'channel not found' });
    expect(thrown(() => granted(revoltAccess(privateRevolt(), OUTSIDER, ['KICK_MEMBERS'])))).toMatchObject({ status: 404, message: 'revolt not found' });
    expect(thrown(() => granted(revoltAccess(revolt(), OUTSIDER, ['KICK_MEMBERS'])))).toMatchObject({
      status: 403,
      code: 'forbidden',
      details: { missing: ['KICK_MEMBERS'] },
    });
    expect(thrown(() => granted(channelAccess(revolt(), PLAIN, 'muted', ['SEND_MESSAGES'])))).toMatchObject({
      status: 403,
      message: 'you need SEND_MESSAGES in this channel',
      details: { missing: ['SEND_MESSAGES'] },
    });
    expect(granted(revoltAccess(revolt(), MOD, ['KICK_MEMBERS'])).subject.member.userId).toBe(MOD);
  });

  it('a further check on bits already granted names the action refused', () => {
    const bits = toBits(['VIEW_CHANNEL', 'CONNECT']);
    expect(() => requireHeld(bits, ['CONNECT'], 'joining')).not.toThrow();
    expect(thrown(() => requireHeld(bits, ['SPEAK', 'CONNECT', 'VIDEO'], 'unmuting'))).toMatchObject({
      status: 403,
      message: 'unmuting needs SPEAK, VIDEO in this channel',
      details: { missing: ['SPEAK', 'VIDEO'] },
    });
  });

  it('what only the owner may do: 403 to anyone else who sees the revolt, 404 to who does not', () => {
    expect(() => requireOwner(revolt(), OWNER, 'delete the revolt')).not.toThrow();
    expect(thrown(() => requireOwner(revolt(), MOD, 'delete the revolt'))).toMatchObject({ status: 403, message: 'only the owner can delete the revolt' });
    expect(thrown(() => requireOwner(revolt(), OUTSIDER, 'delete the revolt'))).toMatchObject({ status: 403 });
    expect(thrown(() => requireOwner(privateRevolt(), OUTSIDER, 'delete the revolt'))).toMatchObject({ status: 404 });
  });
});
