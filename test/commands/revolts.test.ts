import { describe, expect, it } from 'vitest';
import { revoltDecider, type RevoltCommand } from '../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../src/commands/revolts/events.ts';
import { given } from '../support/decider.ts';
import { UNGATED } from '../support/features.ts';

const at = '2026-01-01T00:00:00.000Z';
const ids = { revolt: 'a'.repeat(24), everyone: 'b'.repeat(24), channel: 'c'.repeat(24), owner: '1'.repeat(24), bob: '2'.repeat(24) };

const create: Extract<RevoltCommand, { type: 'CreateRevolt' }> = {
  type: 'CreateRevolt',
  revoltId: ids.revolt,
  everyoneRoleId: ids.everyone,
  defaultChannelId: ids.channel,
  inviteCode: 'INVITE01',
  owner: { userId: ids.owner, username: 'owner' },
  name: 'Rebels',
  description: 'd',
  settings: { maxMembers: 2 },
  features: UNGATED,
  at,
};
const created = given(revoltDecider).when(create).then((events) => events) as RevoltEvent[];
const join = (userId: string, inviteCode = 'INVITE01'): RevoltCommand => ({ type: 'JoinRevolt', user: { userId, username: 'u' }, inviteCode, at });

describe('revolt decider', () => {
  it('creating a revolt makes the owner a member, an @everyone role, a default text channel and an invite code', () => {
    expect(created.map((e) => e.type)).toEqual(['RevoltCreated', 'RoleCreated', 'ChannelCreated', 'MemberJoined']);
    const state = given(revoltDecider, created).state;
    expect(state.ownerId).toBe(ids.owner);
    expect(state.everyoneRoleId).toBe(ids.everyone);
    expect(state.inviteCode).toBe('INVITE01');
    expect(state.settings.defaultChannelId).toBe(ids.channel);
    expect(state.channels.get(ids.channel)?.type).toBe('text');
    expect(state.members.get(ids.owner)).toMatchObject({ username: 'owner' });
  });

  it('refuses to create a revolt twice', () => {
    given(revoltDecider, created).when(create).thenFails(409, 'already_exists');
  });

  it('joins through the current invite code', () => {
    given(revoltDecider, created)
      .when(join(ids.bob))
      .then([
        {
          type: 'MemberJoined',
          data: { revoltId: ids.revolt, revoltName: 'Rebels', userId: ids.bob, username: 'u', isOwner: false, ownerId: ids.owner, inviteCode: 'INVITE01', joinedAt: at },
        },
      ]);
  });

  it('joining twice is a no-op', () => {
    const joined = given(revoltDecider, created).when(join(ids.bob)).then(() => undefined);
    given(revoltDecider, [...created, ...joined]).when(join(ids.bob)).then([]);
  });

  it('a wrong or stale invite code is not found', () => {
    given(revoltDecider, created).when(join(ids.bob, 'WRONG001')).thenFails(404, 'not_found');
    given(revoltDecider, [...created, { type: 'InviteCodeSet', data: { revoltId: ids.revolt, inviteCode: 'NEWCODE1' } }])
      .when(join(ids.bob))
      .thenFails(404, 'not_found');
  });

  it('a full revolt refuses new members', () => {
    const joined = given(revoltDecider, created).when(join(ids.bob)).then(() => undefined);
    given(revoltDecider, [...created, ...joined]).when(join('3'.repeat(24))).thenFails(422, 'revolt_full');
  });

  it('an unknown revolt has no invites', () => {
    given(revoltDecider).when(join(ids.bob)).thenFails(404, 'not_found');
  });
});

describe('revolt invites', () => {
  it('a revolt that does not allow invites refuses joins', () => {
    const closed = given(revoltDecider).when({ ...create, settings: { allowInvites: false } }).then(() => undefined) as RevoltEvent[];
    given(revoltDecider, closed).when(join(ids.bob)).thenFails(422, 'invites_disabled');
  });
});
