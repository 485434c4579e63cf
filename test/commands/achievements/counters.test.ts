import { describe, expect, it } from 'vitest';
import { addChanges, counterChanges, type CountedEvent } from '../../../src/commands/achievements/counters.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import {
  donationCompleted,
  donationRefunded,
  ids,
  memberJoined,
  messageSent,
  revoltCreated,
  time,
  voiceLeft,
  voiceStateChanged,
} from '../../projections/fixtures.ts';
import { at } from '../../projections/support.ts';

const changes = (event: RecordedEvent) => counterChanges(event as RecordedEvent & CountedEvent);
const { ada, bob } = ids;
const reaction = (type: 'ReactionAdded' | 'ReactionRemoved', userId: string, authorId?: string) =>
  at(1, type, { messageId: ids.general, channelId: ids.general, revoltId: ids.revolt, emoji: '👍', userId, ...(authorId && { authorId }), at: time(1) });
const follow = (type: 'UserFollowed' | 'UserUnfollowed') => at(1, type, { followerId: ada, followeeId: bob, at: time(1) });

describe('counters: what each event counts, for whom', () => {
  it('a message counts for its author; a system message for nobody', () => {
    expect(changes(messageSent(1))).toEqual([{ userId: ada, counter: 'messagesSent', delta: 1 }]);
    expect(changes(messageSent(1, { type: 'system' }))).toEqual([]);
  });

  it('founding a revolt counts as created; joining one counts only when it is someone else’s', () => {
    expect(changes(revoltCreated(1))).toEqual([{ userId: ada, counter: 'revoltsCreated', delta: 1 }]);
    expect(changes(memberJoined(1, { isOwner: true }))).toEqual([]);
    expect(changes(memberJoined(1, { userId: bob }))).toEqual([{ userId: bob, counter: 'revoltsJoined', delta: 1 }]);
  });

  it('a completed donation counts for the donor and the owner credited; a refund takes it back', () => {
    expect(changes(donationCompleted(1))).toEqual([
      { userId: bob, counter: 'totalDonated', delta: 2500 },
      { userId: ada, counter: 'totalRaised', delta: 2500 },
    ]);
    expect(changes(donationRefunded(2))).toEqual([
      { userId: bob, counter: 'totalDonated', delta: -1000 },
      { userId: ada, counter: 'totalRaised', delta: -1000 },
    ]);
  });

  it('voice counts each stay as it ends, and screen sharing as it stops or its sharer leaves', () => {
    expect(changes(voiceLeft(1, { durationMs: 90_000 }))).toEqual([{ userId: ada, counter: 'voiceMs', delta: 90_000 }]);
    expect(changes(voiceLeft(1, { durationMs: 90_000, screenShareMs: 30_000 }))).toEqual([
      { userId: ada, counter: 'voiceMs', delta: 90_000 },
      { userId: ada, counter: 'screenShareMs', delta: 30_000 },
    ]);
    expect(changes(voiceStateChanged(1, { screenShareMs: 5_000 }))).toEqual([{ userId: ada, counter: 'screenShareMs', delta: 5_000 }]);
    expect(changes(voiceStateChanged(1))).toEqual([]);
  });

  it('a follow counts for both ends; an unfollow takes it back', () => {
    expect(changes(follow('UserFollowed'))).toEqual([
      { userId: bob, counter: 'followers', delta: 1 },
      { userId: ada, counter: 'following', delta: 1 },
    ]);
    expect(changes(follow('UserUnfollowed'))).toEqual([
      { userId: bob, counter: 'followers', delta: -1 },
      { userId: ada, counter: 'following', delta: -1 },
    ]);
  });

  it('reactions count between two people only: none for one’s own message or an author unknown', () => {
    expect(changes(reaction('ReactionAdded', bob, ada))).toEqual([
      { userId: ada, counter: 'reactionsReceived', delta: 1 },
      { userId: bob, counter: 'reactionsGiven', delta: 1 },
    ]);
    expect(changes(reaction('ReactionRemoved', bob, ada))).toEqual([
      { userId: ada, counter: 'reactionsReceived', delta: -1 },
      { userId: bob, counter: 'reactionsGiven', delta: -1 },
    ]);
    expect(changes(reaction('ReactionAdded', ada, ada))).toEqual([]);
    expect(changes(reaction('ReactionAdded', bob))).toEqual([]);
  });

  it('letters and the course count for whoever completed them', () => {
    expect(changes(at(1, 'LetterCompleted', { userId: ada, letterId: 3, at: time(1) }))).toEqual([{ userId: ada, counter: 'lettersCompleted', delta: 1 }]);
    expect(changes(at(1, 'CourseCompleted', { userId: ada, at: time(1) }))).toEqual([{ userId: ada, counter: 'coursesCompleted', delta: 1 }]);
  });

  it('changes add up, from nothing', () => {
    expect(addChanges({ messagesSent: 2 }, [{ counter: 'messagesSent', delta: 1 }, { counter: 'followers', delta: 1 }])).toEqual({ messagesSent: 3, followers: 1 });
  });
});
