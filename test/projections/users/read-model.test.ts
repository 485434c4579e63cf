import { ObjectId, type Document } from 'mongodb';
import { describe, it } from 'vitest';
import { usersReadModel } from '../../../src/projections/users/read-model.ts';
import {
  date,
  donationCompleted,
  donationRefunded,
  hexId,
  ids,
  memberBanned,
  memberJoined,
  memberKicked,
  memberLeft,
  messageSent,
  ownershipTransferred,
  presenceChanged,
  revoltCreated,
  revoltDeleted,
  revoltUpdated,
  roleDeleted,
  roleGranted,
  roleRevoked,
  time,
  userRegistered,
  voiceJoined,
  voiceLeft,
  voiceStateChanged,
} from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(usersReadModel);

type Who = 'ada' | 'bob';
const registered = (who: Who, position: number) => userRegistered(position, { userId: ids[who], email: `${who}@example.com`, username: who });
const statusChanged = (position: number, status: 'online' | 'away' | 'busy' | 'invisible') => at(position, 'UserStatusChanged', { userId: ids.ada, status });

/** ada registers at 1 and bob at 2; ada creates the revolt at 3 and joins it as its owner at 4, bob joins at 5. */
const members = [registered('ada', 1), registered('bob', 2), revoltCreated(3), memberJoined(4, { isOwner: true }), memberJoined(5, { userId: ids.bob, username: 'bob' })];

const stats = (joinedAt: number) => ({
  revoltsJoined: 0,
  revoltsCreated: 0,
  messagesSent: 0,
  totalDonated: 0,
  totalRaised: 0,
  voiceTime: 0,
  screenShareTime: 0,
  followers: 0,
  following: 0,
  reputation: 0,
  lastActive: date(joinedAt),
});

function registeredUser(who: Who, position: number): Document {
  const joinedAt = date(position);
  return {
    _id: new ObjectId(ids[who]),
    id: ids[who],
    username: who,
    email: `${who}@example.com`,
    discriminator: '0427',
    status: 'online',
    userType: 'creator',
    joinedAt,
    isVerified: false,
    letterProgress: { completedLetters: [], currentLetter: 1, totalLetters: 30, assignments: [], lastAccessed: joinedAt },
    achievements: [],
    stats: stats(position),
    revoltMemberships: [],
    lastSeen: joinedAt,
    _pos: position,
  };
}

const membership = (joinedAt: number, changes: Document = {}) => ({
  revoltId: new ObjectId(ids.revolt),
  revoltName: 'Barricade',
  joinedAt: date(joinedAt),
  roles: [],
  permissions: [],
  isOwner: false,
  lastSeen: date(joinedAt),
  messageCount: 0,
  voiceTime: 0,
  ...changes,
});

/** The documents `members` leaves. */
const joined = { _joinedRevolts: [ids.revolt] };
const ada = { ...registeredUser('ada', 1), stats: { ...stats(1), revoltsCreated: 1, revoltsJoined: 1 }, revoltMemberships: [membership(4, { isOwner: true })], ...joined, _pos: 4 };
const bob = { ...registeredUser('bob', 2), stats: { ...stats(2), revoltsJoined: 1 }, revoltMemberships: [membership(5)], ...joined, _pos: 5 };

describe('users read model', () => {
  it('UserRegistered creates the user: no password hash, letters not started, every stat at zero', () =>
    given()
      .when([registered('ada', 1)])
      .then([registeredUser('ada', 1)]));

  it('profile and status changes are set; a presence change moves lastSeen only when what others see changes', () =>
    given([registered('ada', 1)])
      .when([
        at(2, 'UserProfileUpdated', { userId: ids.ada, changes: { bio: 'Engineer', customStatus: 'plotting', socialLinks: { twitter: 'ada' }, userType: 'supporter' } }),
        statusChanged(3, 'busy'),
        presenceChanged(4, { presence: 'busy', previousPresence: 'offline' }),
        presenceChanged(5, { presence: 'busy', previousPresence: 'busy', connected: false }),
      ])
      .then([
        { ...registeredUser('ada', 1), bio: 'Engineer', customStatus: 'plotting', socialLinks: { twitter: 'ada' }, userType: 'supporter', status: 'busy', lastSeen: date(4), _pos: 4 },
      ]));

  it('a link request changes nothing shown; following it sets isVerified', () =>
    given([registered('ada', 1)])
      .when([
        at(2, 'EmailVerificationRequested', { userId: ids.ada, tokenId: hexId(9), tokenHash: 'f'.repeat(64), expiresAt: time(3), requestedAt: time(2) }),
        at(3, 'EmailVerified', { userId: ids.ada, verifiedAt: time(3) }),
      ])
      .then([{ ...registeredUser('ada', 1), isVerified: true, _pos: 3 }]));

  it('creating a revolt counts it; joining one adds a membership and counts it', () =>
    given([registered('ada', 1), registered('bob', 2)])
      .when(members.slice(2))
      .then([ada, bob]));

  it("a rename of the revolt, role grants and revocations and an ownership transfer change the memberships", () =>
    given(members)
      .when([
        revoltUpdated(6, { changes: { name: 'Commune' } }),
        revoltUpdated(7, { changes: { description: 'No rename' } }),
        roleGranted(8),
        roleGranted(9, { roleId: 'helpers' }),
        roleGranted(10),
        roleRevoked(11, { roleId: 'helpers' }),
        ownershipTransferred(12),
      ])
      .then([
        { ...ada, revoltMemberships: [membership(4, { revoltName: 'Commune' })], _pos: 12 },
        { ...bob, revoltMemberships: [membership(5, { revoltName: 'Commune', roles: ['moderators'], isOwner: true })], _pos: 12 },
      ]));

  it('RoleDeleted takes the role off every membership of its revolt', () =>
    given([...members, roleGranted(6)])
      .when([roleDeleted(7)])
      .then([
        { ...ada, _pos: 7 },
        { ...bob, _pos: 7 },
      ]));

  it('leaving, a kick, a ban of a member and the deletion of the revolt remove memberships; rejoining the revolt does not count again', () =>
    given(members)
      .when([
        memberLeft(6),
        memberJoined(7, { userId: ids.bob, username: 'bob' }),
        memberKicked(8),
        memberJoined(9, { userId: ids.bob, username: 'bob' }),
        memberBanned(10),
        memberBanned(11, { wasMember: false }),
        revoltDeleted(12),
      ])
      .then([
        { ...ada, revoltMemberships: [], _pos: 12 },
        { ...bob, revoltMemberships: [], _pos: 10 },
      ]));

  it("MessageSent counts the author's messages, and in the membership of the revolt when there is one", () =>
    given(members)
      .when([messageSent(6), messageSent(7, { authorId: ids.bob }), messageSent(8), messageSent(9, { revoltId: ids.otherRevolt })])
      .then([
        { ...ada, stats: { ...ada.stats, messagesSent: 3, lastActive: date(9) }, revoltMemberships: [membership(4, { isOwner: true, messageCount: 2, lastSeen: date(8) })], _pos: 9 },
        { ...bob, stats: { ...bob.stats, messagesSent: 1, lastActive: date(7) }, revoltMemberships: [membership(5, { messageCount: 1, lastSeen: date(7) })], _pos: 7 },
      ]));

  it('a run of MessageSent of which a part was applied already counts each message once', () =>
    given([...members, messageSent(6), messageSent(7)])
      .when([messageSent(6), messageSent(7), messageSent(8, { authorId: ids.bob }), messageSent(9)])
      .then([
        { ...ada, stats: { ...ada.stats, messagesSent: 3, lastActive: date(9) }, revoltMemberships: [membership(4, { isOwner: true, messageCount: 3, lastSeen: date(9) })], _pos: 9 },
        { ...bob, stats: { ...bob.stats, messagesSent: 1, lastActive: date(8) }, revoltMemberships: [membership(5, { messageCount: 1, lastSeen: date(8) })], _pos: 8 },
      ]));

  it("donations: completed minus refunded money is the donor's totalDonated and the owner's totalRaised, both on one user when they are the same", () =>
    given(members)
      .when([donationCompleted(6), donationRefunded(7), donationCompleted(8, { donationId: hexId(0x41), donorId: ids.ada, amount: 500 })])
      .then([
        // Money raised from others is reputation too (1 point per 500 cents net: see reputation.ts); her own is not.
        { ...ada, stats: { ...ada.stats, totalRaised: 2000, totalDonated: 500, reputation: 3 }, _reputation: { pos: 7, days: { donations: { day: '2026-01-01', net: 1500 } } }, _pos: 8 },
        { ...bob, stats: { ...bob.stats, totalDonated: 1500 }, _pos: 7 },
      ]));

  it("joining a voice channel sets the user's voiceState; a change of their flags updates it", () =>
    given(members)
      .when([voiceJoined(6), voiceStateChanged(7, { selfMute: true, video: true })])
      .then([
        {
          ...ada,
          voiceState: {
            revoltId: new ObjectId(ids.revolt),
            channelId: new ObjectId(ids.lounge),
            sessionId: ids.session,
            selfMute: true,
            selfDeaf: false,
            serverMute: false,
            serverDeaf: false,
            isMuted: true,
            isDeafened: false,
            isVideoEnabled: true,
            isScreenSharing: false,
            joinedAt: date(6),
          },
          _pos: 7,
        },
        bob,
      ]));

  it('leaving voice clears voiceState and adds the stay to voiceTime (the user and the membership) and screen sharing to screenShareTime', () =>
    given([...members, voiceJoined(6, { screenShare: true })])
      .when([
        voiceStateChanged(7, { screenShareMs: 60_000 }),
        voiceStateChanged(8, { screenShare: true }),
        voiceLeft(9, { joinedAt: time(6), durationMs: 180_000, screenShareMs: 30_000 }),
      ])
      .then([
        { ...ada, stats: { ...ada.stats, voiceTime: 3, screenShareTime: 1.5 }, revoltMemberships: [membership(4, { isOwner: true, voiceTime: 3 })], _pos: 9 },
        bob,
      ]));

  it('a redelivered history changes nothing', () => {
    const history = [
      ...members,
      messageSent(6),
      roleGranted(7),
      donationCompleted(8),
      voiceJoined(9, { userId: ids.bob, username: 'bob' }),
      voiceLeft(10, { userId: ids.bob, joinedAt: time(9), durationMs: 60_000 }),
    ];
    return given(history)
      .when(history)
      .then([
        {
          ...ada,
          stats: { ...ada.stats, messagesSent: 1, lastActive: date(6), totalRaised: 2500, reputation: 5 },
          revoltMemberships: [membership(4, { isOwner: true, messageCount: 1, lastSeen: date(6) })],
          _reputation: { pos: 8, days: { donations: { day: '2026-01-01', net: 2500 } } },
          _pos: 8,
        },
        { ...bob, stats: { ...bob.stats, totalDonated: 2500, voiceTime: 1 }, revoltMemberships: [membership(5, { roles: ['moderators'], voiceTime: 1 })], _pos: 10 },
      ]);
  });

  it('events older than a document, arriving late and out of order, change nothing', () =>
    given([registered('ada', 1), registered('bob', 2), revoltCreated(4), memberJoined(6, { isOwner: true }), memberJoined(8, { userId: ids.bob, username: 'bob' }), statusChanged(10, 'away')])
      .when([statusChanged(9, 'busy'), memberLeft(7), messageSent(3), messageSent(5, { authorId: ids.bob })])
      .then([
        { ...ada, status: 'away', revoltMemberships: [membership(6, { isOwner: true })], _pos: 10 },
        { ...bob, revoltMemberships: [membership(8)], _pos: 8 },
      ]));
});
