import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { usersReadModel } from '../../../src/projections/users/read-model.ts';
import { HIDDEN } from '../../../src/projections/views.ts';
import {
  date,
  donationCompleted,
  donationRefunded,
  eventOf,
  hexId,
  ids,
  memberBanned,
  memberJoined,
  memberKicked,
  memberLeft,
  messageId,
  messageSent,
  revoltCreated,
  revoltDeleted,
  time,
  userRegistered,
} from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(usersReadModel);

const carol = hexId(3);
const users = { ada: ids.ada, bob: ids.bob, carol };
type Who = keyof typeof users;
const registered = (who: Who, position: number) => userRegistered(position, { userId: users[who], email: `${who}@example.com`, username: who });
/** ada, bob and carol register at 1, 2 and 3. */
const everyone = [registered('ada', 1), registered('bob', 2), registered('carol', 3)];

/** The event as caused by `who` (the command's actor), recorded at minute `minutes` (its position's by default). */
const by = (who: Who | string, event: RecordedEvent, minutes = event.position): RecordedEvent => ({
  ...event,
  metadata: { ...event.metadata, actorId: who in users ? users[who as Who] : who, occurredAt: time(minutes) },
});

const followed = (position: number, follower: Who, followee: Who) =>
  by(follower, at(position, 'UserFollowed', { followerId: users[follower], followeeId: users[followee], at: time(position) }));
const unfollowed = (position: number, follower: Who, followee: Who) =>
  by(follower, at(position, 'UserUnfollowed', { followerId: users[follower], followeeId: users[followee], at: time(position) }));

const onAdasMessage = { messageId: messageId(1), channelId: ids.general, revoltId: ids.revolt, emoji: '🔥', userId: ids.bob, authorId: ids.ada };
const reactionAdded = eventOf('ReactionAdded', (p) => ({ ...onAdasMessage, at: time(p) }));
const reactionRemoved = eventOf('ReactionRemoved', (p) => ({ ...onAdasMessage, at: time(p) }));
const letterCompleted = (position: number, letterId: number, who: Who = 'ada') => at(position, 'LetterCompleted', { userId: users[who], letterId, at: time(position) });
/** A member joining ada's revolt (the revolt's owner named in the event). */
const joinsAdas = (position: number, who: Who) => memberJoined(position, { userId: users[who], username: who, ownerId: ids.ada });

const DAY = 24 * 60;
const day = (minutes: number) => time(minutes).slice(0, 10);

/** Checks each user's document: `expected[who]` laid over what it must contain (toMatchObject), the same after each delivery. */
const usersAre = (expected: Partial<Record<Who, Document>>) => (docs: Document[], how: string) => {
  for (const [who, fields] of Object.entries(expected)) {
    expect(docs.find((doc) => doc.id === users[who as Who]), `${who}, applied ${how}`).toMatchObject(fields);
  }
};
const statsOf = (stats: Document) => ({ stats: expect.objectContaining(stats) });

describe('users: followers and following', () => {
  it('a follow counts on both sides; an unfollow uncounts', () =>
    given(everyone)
      .when([followed(4, 'ada', 'bob'), followed(5, 'carol', 'bob'), followed(6, 'bob', 'ada'), unfollowed(7, 'carol', 'bob'), followed(8, 'carol', 'ada')])
      .then(
        usersAre({
          ada: statsOf({ followers: 2, following: 1 }),
          bob: statsOf({ followers: 1, following: 1 }),
          carol: statsOf({ followers: 0, following: 1 }),
        }),
      ));

  it('a redelivered history counts each follow once', () => {
    const history = [...everyone, followed(4, 'ada', 'bob'), followed(5, 'carol', 'bob'), unfollowed(6, 'ada', 'bob'), followed(7, 'ada', 'bob')];
    return given(history)
      .when(history.slice(3))
      .then(usersAre({ ada: statsOf({ following: 1 }), bob: statsOf({ followers: 2 }), carol: statsOf({ following: 1 }) }));
  });
});

describe('users: revoltsJoined counts every distinct revolt ever joined', () => {
  it('leaving, a kick, a ban and the deletion of the revolt never lower it; rejoining a revolt does not count again', () =>
    given([...everyone, revoltCreated(4), memberJoined(5, { isOwner: true })])
      .when([
        memberJoined(6, { userId: ids.bob, username: 'bob' }),
        memberLeft(7),
        memberJoined(8, { userId: ids.bob, username: 'bob' }),
        memberKicked(9),
        memberJoined(10, { userId: ids.bob, username: 'bob' }),
        memberBanned(11),
        memberJoined(12, { revoltId: ids.otherRevolt, userId: ids.bob, username: 'bob' }),
        revoltDeleted(13),
      ])
      .then(
        usersAre({
          ada: { stats: expect.objectContaining({ revoltsJoined: 1 }), revoltMemberships: [] },
          bob: { stats: expect.objectContaining({ revoltsJoined: 2 }), revoltMemberships: [expect.objectContaining({ joinedAt: date(12) })] },
        }),
      ));

  it('a rebuild or a redelivery counts the same: the revolts ever joined are kept in the document', async () => {
    const history = [...everyone, revoltCreated(4), memberJoined(5, { userId: ids.bob, username: 'bob' }), memberLeft(6), memberJoined(7, { userId: ids.bob, username: 'bob' })];
    const bob = { stats: expect.objectContaining({ revoltsJoined: 1 }), _joinedRevolts: [ids.revolt] };
    await given().when(history).then(usersAre({ bob }));
    return given(history)
      .when([...history.slice(3), memberJoined(8, { revoltId: ids.otherRevolt, userId: ids.bob, username: 'bob' })])
      .then(usersAre({ bob: { stats: expect.objectContaining({ revoltsJoined: 2 }), _joinedRevolts: [ids.revolt, ids.otherRevolt] } }));
  });

  it('the list of revolts ever joined is hidden from clients', () => expect(HIDDEN).toMatchObject({ _joinedRevolts: 0 }));
});

describe('users: lastActive', () => {
  it('moves to the time of each event the user causes, whatever the event', () =>
    given(everyone)
      .when([
        by('ada', at(4, 'UserStatusChanged', { userId: ids.ada, status: 'busy' })),
        followed(5, 'bob', 'carol'),
        by('ada', revoltCreated(6)),
        by('ada', reactionAdded(7, { userId: ids.ada, authorId: ids.bob })),
      ])
      .then(
        usersAre({
          ada: statsOf({ lastActive: date(7) }),
          bob: statsOf({ lastActive: date(5) }),
          carol: statsOf({ lastActive: date(3) }),
        }),
      ));

  it('is not moved by events without a user as actor (the system, Stripe, reactors), nor by what others do to the user', () =>
    given(everyone)
      .when([by('stripe', donationCompleted(4)), by('reactor:achievements', at(5, 'UserStatusChanged', { userId: ids.bob, status: 'away' })), by('ada', memberKicked(6))])
      .then(usersAre({ ada: statsOf({ lastActive: date(6) }), bob: statsOf({ lastActive: date(2) }) })));

  it('never moves back: an event recorded later with an earlier time leaves it', () =>
    given(everyone)
      .when([
        by('ada', at(8, 'UserStatusChanged', { userId: ids.ada, status: 'busy' })),
        by('ada', at(9, 'UserStatusChanged', { userId: ids.ada, status: 'away' }), 6),
        by('bob', messageSent(10, { authorId: ids.bob, createdAt: time(7) }), 7),
        by('bob', at(11, 'UserStatusChanged', { userId: ids.bob, status: 'away' }), 5),
      ])
      .then(usersAre({ ada: statsOf({ lastActive: date(8) }), bob: statsOf({ lastActive: date(7) }) })));
});

describe('users: reputation', () => {
  const ledger = (pos: number, days: Document) => ({ _reputation: { pos, days } });

  it('reactions received from others count, taken back when removed; reacting to oneself counts nothing', () =>
    given(everyone)
      .when([
        reactionAdded(4),
        reactionAdded(5, { userId: carol }),
        reactionAdded(6, { userId: ids.ada }),
        reactionAdded(7, { userId: ids.ada, authorId: ids.bob }),
        reactionRemoved(8, { userId: carol }),
        reactionAdded(9, { emoji: '🎉', userId: carol }),
        reactionAdded(10, { authorId: undefined }),
      ])
      .then(
        usersAre({
          ada: { stats: expect.objectContaining({ reputation: 2 }), ...ledger(9, { reactions: { day: day(4), net: 2 } }) },
          bob: { stats: expect.objectContaining({ reputation: 1 }), ...ledger(7, { reactions: { day: day(7), net: 1 } }) },
        }),
      ));

  it('react-and-unreact loops earn nothing; a day earns at most its cap, and the next day starts afresh', () => {
    const loop = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? reactionAdded(4 + i) : reactionRemoved(4 + i)));
    const many = Array.from({ length: 25 }, (_, i) => reactionAdded(40 + i, { userId: hexId(0x100 + i) }));
    return given(everyone)
      .when([...loop, ...many, reactionAdded(DAY + 1, { userId: hexId(0x200) })])
      .then(usersAre({ ada: { stats: expect.objectContaining({ reputation: 21 }), ...ledger(DAY + 1, { reactions: { day: day(DAY + 1), net: 1 } }) } }));
  });

  it('a removal on a later day takes back what it gave; reputation never goes below zero', () =>
    given(everyone)
      .when([reactionAdded(4), reactionAdded(5, { userId: carol }), reactionRemoved(DAY + 4), reactionRemoved(DAY + 5, { userId: carol }), reactionRemoved(DAY + 6, { userId: hexId(0x100) })])
      .then(usersAre({ ada: { stats: expect.objectContaining({ reputation: 0 }), ...ledger(DAY + 6, { reactions: { day: day(DAY + 4), net: -3 } }) } })));

  it('letters completed, members joining revolts one owns and money raised from others count, each capped per day', () =>
    given([...everyone, revoltCreated(4), memberJoined(5, { isOwner: true })])
      .when([
        ...[1, 2, 3, 4, 5, 6].map((n) => letterCompleted(5 + n, n)),
        joinsAdas(20, 'bob'),
        joinsAdas(21, 'carol'),
        memberJoined(22, { userId: ids.bob, username: 'bob', ownerId: ids.bob }),
        donationCompleted(23),
        donationRefunded(24),
        donationCompleted(25, { donationId: hexId(0x41), donorId: ids.ada, amount: 100_000 }),
      ])
      .then(
        usersAre({
          // 5 letters (the 6th is over the day's 50), 2 members × 2, 1500 cents net from bob (3 points); her own money counts nothing.
          ada: {
            stats: expect.objectContaining({ reputation: 50 + 4 + 3 }),
            ...ledger(24, { letters: { day: day(6), net: 6 }, members: { day: day(20), net: 2 }, donations: { day: day(23), net: 1500 } }),
          },
          bob: statsOf({ reputation: 0 }),
        }),
      ));

  it('a redelivered history, or events older than what was applied, credit nothing twice', () => {
    const history = [...everyone, reactionAdded(4), letterCompleted(5, 1), reactionAdded(6, { userId: carol })];
    return given(history)
      .when([...history.slice(3), reactionRemoved(5)])
      .then(usersAre({ ada: { stats: expect.objectContaining({ reputation: 12 }), ...ledger(6, { reactions: { day: day(4), net: 2 }, letters: { day: day(5), net: 1 } }) } }));
  });
});
