import type { DonationEventOf } from '../donations/events.ts';
import type { FollowEventOf } from '../follows/events.ts';
import type { MessageEvent } from '../messages/events.ts';
import type { ProgressEventOf } from '../progress/events.ts';
import type { RevoltEventOf } from '../revolts/events.ts';
import type { VoiceEventOf } from '../voice/events.ts';

/**
 * What achievements are measured on: per user, counters moved by the events the system already records. Money is
 * in cents (minor units), time in milliseconds, everything else a count. Counters that events take back (an
 * unfollow, a refund, a reaction removed) go down again; an achievement once unlocked stays.
 */
export const COUNTERS = [
  'messagesSent',
  'revoltsJoined',
  'revoltsCreated',
  'totalDonated',
  'totalRaised',
  'voiceMs',
  'screenShareMs',
  'followers',
  'following',
  'lettersCompleted',
  'coursesCompleted',
  'reactionsReceived',
  'reactionsGiven',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Partial<Record<Counter, number>>;

/** One event's change to one user's counter. */
export interface CounterChange {
  userId: string;
  counter: Counter;
  delta: number;
}

type ReactionEvent = Extract<MessageEvent, { type: 'ReactionAdded' | 'ReactionRemoved' }>;

/** The events that move counters. */
export type CountedEvent =
  | Extract<MessageEvent, { type: 'MessageSent' }>
  | ReactionEvent
  | RevoltEventOf<'RevoltCreated' | 'MemberJoined'>
  | DonationEventOf<'DonationCompleted' | 'DonationRefunded'>
  | VoiceEventOf<'VoiceParticipantLeft' | 'VoiceStateChanged'>
  | FollowEventOf<'UserFollowed' | 'UserUnfollowed'>
  | ProgressEventOf<'LetterCompleted' | 'CourseCompleted'>;

export const COUNTED_EVENT_TYPES: readonly CountedEvent['type'][] = [
  'MessageSent',
  'ReactionAdded',
  'ReactionRemoved',
  'RevoltCreated',
  'MemberJoined',
  'DonationCompleted',
  'DonationRefunded',
  'VoiceParticipantLeft',
  'VoiceStateChanged',
  'UserFollowed',
  'UserUnfollowed',
  'LetterCompleted',
  'CourseCompleted',
];

const change = (userId: string, counter: Counter, delta: number): CounterChange => ({ userId, counter, delta });

/** A reaction counts only between two people: none for reacting to one's own message (nor to one whose author is unknown). */
function reactionChanges({ type, data }: ReactionEvent): CounterChange[] {
  if (!data.authorId || data.authorId === data.userId) return [];
  const delta = type === 'ReactionAdded' ? 1 : -1;
  return [change(data.authorId, 'reactionsReceived', delta), change(data.userId, 'reactionsGiven', delta)];
}

/**
 * The counter changes an event makes, in a fixed order. Messages count except system ones; a join counts when
 * it is into someone else's revolt (creating one is `revoltsCreated`); donations count once completed, for the
 * donor (`totalDonated`) and the owner credited (`totalRaised`), and refunds take them back; voice counts each
 * stay and screen share as it ends.
 */
export function counterChanges(event: CountedEvent): CounterChange[] {
  switch (event.type) {
    case 'MessageSent':
      return event.data.type === 'system' ? [] : [change(event.data.authorId, 'messagesSent', 1)];
    case 'ReactionAdded':
    case 'ReactionRemoved':
      return reactionChanges(event);
    case 'RevoltCreated':
      return [change(event.data.ownerId, 'revoltsCreated', 1)];
    case 'MemberJoined':
      return event.data.isOwner ? [] : [change(event.data.userId, 'revoltsJoined', 1)];
    case 'DonationCompleted':
    case 'DonationRefunded': {
      const { donorId, ownerId, amount } = event.data;
      const delta = event.type === 'DonationCompleted' ? amount : -amount;
      return delta === 0 ? [] : [change(donorId, 'totalDonated', delta), change(ownerId, 'totalRaised', delta)];
    }
    case 'VoiceParticipantLeft': {
      const { userId, durationMs, screenShareMs } = event.data;
      return [change(userId, 'voiceMs', durationMs), ...(screenShareMs > 0 ? [change(userId, 'screenShareMs', screenShareMs)] : [])];
    }
    case 'VoiceStateChanged':
      return event.data.screenShareMs ? [change(event.data.userId, 'screenShareMs', event.data.screenShareMs)] : [];
    case 'UserFollowed':
    case 'UserUnfollowed': {
      const delta = event.type === 'UserFollowed' ? 1 : -1;
      return [change(event.data.followeeId, 'followers', delta), change(event.data.followerId, 'following', delta)];
    }
    case 'LetterCompleted':
      return [change(event.data.userId, 'lettersCompleted', 1)];
    case 'CourseCompleted':
      return [change(event.data.userId, 'coursesCompleted', 1)];
  }
}

/** `counters` with `changes` added (a new object). */
export function addChanges(counters: Counters, changes: readonly Pick<CounterChange, 'counter' | 'delta'>[]): Counters {
  const next = { ...counters };
  for (const { counter, delta } of changes) next[counter] = (next[counter] ?? 0) + delta;
  return next;
}
