import { describe, expect, it } from 'vitest';
import type { PersonalInviteCommand, PersonalInviteCommandOf } from '../../src/commands/personal-invites/commands.ts';
import { personalInvitesDecider } from '../../src/commands/personal-invites/decide.ts';
import type { PersonalInviteEvent } from '../../src/commands/personal-invites/events.ts';
import { PERSONAL_INVITE_TTL_MS } from '../../src/commands/personal-invites/rules.ts';
import type { FeatureAccess } from '../../src/commands/progress/features.ts';
import { revoltDecider } from '../../src/commands/revolts/decide.ts';
import type { RevoltState } from '../../src/commands/revolts/state.ts';
import { given } from '../support/decider.ts';
import { UNGATED } from '../support/features.ts';
import { at, ids, revolt, withChannel, withEveryone } from './messages-fixture.ts';

const voiceId = 'f'.repeat(24);
const inviteId = '5'.repeat(24);
const otherInviteId = '6'.repeat(24);
const outsider = '7'.repeat(24);
const expiresAt = new Date(Date.parse(at) + PERSONAL_INVITE_TTL_MS).toISOString();
const afterExpiry = new Date(Date.parse(expiresAt) + 1).toISOString();

/** The fixture's revolt with a voice channel `voiceId` (everyone may view and connect). */
const withVoice: RevoltState = revoltDecider.evolve(revolt, {
  type: 'ChannelCreated',
  data: { revoltId: ids.revolt, channelId: voiceId, name: 'lounge', type: 'voice', position: 2, settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false, bitrate: 64000 }, createdAt: at },
});

const invite = (over: Partial<PersonalInviteCommandOf<'SendPersonalInvite'>> = {}): PersonalInviteCommandOf<'SendPersonalInvite'> => ({
  type: 'SendPersonalInvite',
  inviteId,
  kind: 'revolt',
  revolt: withVoice,
  channelId: null,
  inviterId: ids.bob,
  inviteeId: outsider,
  inviteeExists: true,
  sharesRevolt: false,
  features: UNGATED,
  at,
  ...over,
});

const sent = (over: Partial<Extract<PersonalInviteEvent, { type: 'PersonalInviteSent' }>['data']> = {}): PersonalInviteEvent => ({
  type: 'PersonalInviteSent',
  data: { inviteId, kind: 'revolt', revoltId: ids.revolt, channelId: null, inviterId: ids.bob, inviteeId: outsider, sentAt: at, expiresAt, ...over },
});
const blocking: PersonalInviteEvent = { type: 'PersonalInviteSettingsChanged', data: { userId: outsider, onlyFromSharedRevolts: true, at } };
const accept = (over: Partial<PersonalInviteCommand> = {}): PersonalInviteCommand =>
  ({ type: 'AcceptPersonalInvite', inviteId, inviteeId: outsider, at, ...over }) as PersonalInviteCommand;
const decline = (over: Partial<PersonalInviteCommand> = {}): PersonalInviteCommand =>
  ({ type: 'DeclinePersonalInvite', inviteId, inviteeId: outsider, at, ...over }) as PersonalInviteCommand;
/** A course in which letter 3 unlocks create_invites, none completed. */
const invitesLocked: FeatureAccess = { course: { letters: new Map([[3, { unlocks: ['create_invites'] }]]) }, completedLetters: new Set() };

describe('personal invites: sending', () => {
  it('a member with CREATE_INVITES invites an outsider to the revolt, open for seven days', () => {
    given(personalInvitesDecider).when(invite()).then([sent()]);
  });

  it('a voice invite names the channel; the inviter must CONNECT there and the invitee be a member who may', () => {
    given(personalInvitesDecider).when(invite({ kind: 'voice', channelId: voiceId, inviteeId: ids.carol })).then([sent({ kind: 'voice', channelId: voiceId, inviteeId: ids.carol })]);
    const noConnect = withChannel(withVoice, voiceId, { overwrites: [{ type: 'member', id: ids.carol, allow: [], deny: ['CONNECT'] }] });
    given(personalInvitesDecider).when(invite({ kind: 'voice', channelId: voiceId, inviteeId: ids.carol, revolt: noConnect })).thenFails(422, 'invitee_cannot_join');
    given(personalInvitesDecider).when(invite({ kind: 'voice', channelId: voiceId, inviteeId: outsider })).thenFails(422, 'invitee_cannot_join');
    given(personalInvitesDecider).when(invite({ kind: 'voice', channelId: voiceId, inviteeId: ids.carol, inviterId: ids.bob, revolt: withChannel(withVoice, voiceId, { overwrites: [{ type: 'member', id: ids.bob, allow: [], deny: ['CONNECT'] }] }) })).thenFails(403, 'forbidden');
    given(personalInvitesDecider).when(invite({ kind: 'voice', channelId: ids.general, inviteeId: ids.carol })).thenFails(422, 'not_a_voice_channel');
    given(personalInvitesDecider).when(invite({ kind: 'voice', channelId: 'a'.repeat(23) + 'b', inviteeId: ids.carol })).thenFails(404, 'not_found');
  });

  it('refuses inviters without CREATE_INVITES (403), outside the revolt (403 public / 404 private), or without the feature', () => {
    given(personalInvitesDecider).when(invite({ revolt: withEveryone(withVoice, ['VIEW_CHANNEL']) })).thenFails(403, 'forbidden');
    given(personalInvitesDecider).when(invite({ inviterId: ids.stranger })).thenFails(403, 'forbidden');
    given(personalInvitesDecider).when(invite({ inviterId: ids.stranger, revolt: { ...withVoice, settings: { ...withVoice.settings, isPublic: false } } })).thenFails(404, 'not_found');
    given(personalInvitesDecider).when(invite({ features: invitesLocked })).thenFails(403, 'feature_locked');
  });

  it('refuses oneself, unknown users and members of the revolt already', () => {
    given(personalInvitesDecider).when(invite({ inviteeId: ids.bob })).thenFails(422, 'cannot_invite_self');
    given(personalInvitesDecider).when(invite({ inviteeExists: false })).thenFails(404, 'not_found');
    given(personalInvitesDecider).when(invite({ inviteeId: ids.carol })).thenFails(409, 'already_member');
  });

  it('one open invite per inviter and target: a second is refused naming the first; after expiry or an answer another may go', () => {
    given(personalInvitesDecider, [sent()]).when(invite({ inviteId: otherInviteId })).thenFails(409, 'personal_invite_pending');
    given(personalInvitesDecider, [sent()]).when(invite({ inviteId: otherInviteId, inviterId: ids.carol })).then((events) => expect(events).toHaveLength(1));
    given(personalInvitesDecider, [sent()]).when(invite({ inviteId: otherInviteId, at: afterExpiry })).then((events) => expect(events).toHaveLength(1));
    const declined: PersonalInviteEvent = { type: 'PersonalInviteDeclined', data: { inviteId, inviteeId: outsider, declinedAt: at } };
    given(personalInvitesDecider, [sent(), declined]).when(invite({ inviteId: otherInviteId })).then((events) => expect(events).toHaveLength(1));
  });

  it('an invitee who takes invites only from shared revolts refuses the others, and accepts shared ones', () => {
    given(personalInvitesDecider, [blocking]).when(invite()).thenFails(403, 'invites_blocked');
    given(personalInvitesDecider, [blocking]).when(invite({ sharesRevolt: true })).then([sent()]);
  });
});

describe('personal invites: answering', () => {
  it('the invitee accepts or declines an open invite once; the same answer again records nothing', () => {
    const accepted: PersonalInviteEvent = { type: 'PersonalInviteAccepted', data: { inviteId, inviteeId: outsider, acceptedAt: at } };
    given(personalInvitesDecider, [sent()]).when(accept()).then([accepted]);
    given(personalInvitesDecider, [sent(), accepted]).when(accept()).then([]);
    given(personalInvitesDecider, [sent()]).when(decline()).then([{ type: 'PersonalInviteDeclined', data: { inviteId, inviteeId: outsider, declinedAt: at } }]);
  });

  it('refuses the other answer after one (409), an expired invite (422) and an invite not theirs (404)', () => {
    const accepted: PersonalInviteEvent = { type: 'PersonalInviteAccepted', data: { inviteId, inviteeId: outsider, acceptedAt: at } };
    given(personalInvitesDecider, [sent(), accepted]).when(decline()).thenFails(409, 'personal_invite_answered');
    given(personalInvitesDecider, [sent()]).when(accept({ at: afterExpiry })).thenFails(422, 'personal_invite_expired');
    given(personalInvitesDecider, [sent()]).when(accept({ inviteId: otherInviteId })).thenFails(404, 'not_found');
  });

  it('the setting records a change only', () => {
    const set = (onlyFromSharedRevolts: boolean): PersonalInviteCommand => ({ type: 'SetPersonalInviteSettings', userId: outsider, onlyFromSharedRevolts, at });
    given(personalInvitesDecider).when(set(true)).then([blocking]);
    given(personalInvitesDecider, [blocking]).when(set(true)).then([]);
    given(personalInvitesDecider).when(set(false)).then([]);
  });
});

describe('joining a revolt through a personal invite (the revolt join rule)', () => {
  const user = { userId: outsider, username: 'out' };
  const personalInvite = { inviteId, inviterId: ids.bob };
  it('joins while the inviter is a member, recording the invite instead of a code', () => {
    given(revoltDecider).when({ type: 'JoinRevolt', user, personalInvite, at }).thenFails(404, 'not_found');
    const events = revoltDecider.decide({ type: 'JoinRevolt', user, personalInvite, at }, revolt);
    expect(events).toEqual([{ type: 'MemberJoined', data: expect.objectContaining({ userId: outsider, personalInviteId: inviteId }) }]);
    expect(events[0]!.data).not.toHaveProperty('inviteCode');
  });

  it('refuses when the inviter has left, the user is banned, or the revolt is full, as invite codes are', () => {
    const left = revoltDecider.evolve(revolt, { type: 'MemberLeft', data: { revoltId: ids.revolt, userId: ids.bob, at } });
    expect(() => revoltDecider.decide({ type: 'JoinRevolt', user, personalInvite, at }, left)).toThrow(/invite not found/);
    const banned = revoltDecider.evolve(revolt, { type: 'MemberBanned', data: { revoltId: ids.revolt, userId: outsider, by: ids.owner, wasMember: false, at } });
    expect(() => revoltDecider.decide({ type: 'JoinRevolt', user, personalInvite, at }, banned)).toThrow(/banned/);
    const full = { ...revolt, settings: { ...revolt.settings, maxMembers: revolt.members.size } };
    expect(() => revoltDecider.decide({ type: 'JoinRevolt', user, personalInvite, at }, full)).toThrow(/limit/);
  });
});
