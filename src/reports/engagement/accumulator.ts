import type { RecordedEvent } from '../../events/envelope.ts';
import { asDomainEvent } from '../../projections/event-types.ts';
import type { Accumulator, ReportFilters } from '../engine/accumulator.ts';
import { bucketOf, eventTime, inWindow, ratio, round, sortedKeys } from '../engine/time.ts';

interface UserEngagement {
  username: string;
  /** Revolts the user is a member of now (in scope). */
  memberships: string[];
  messages: number;
  voiceMs: number;
  donations: number;
  lettersCompleted: number;
}

export interface EngagementState {
  users: Record<string, UserEngagement>;
  /** Each letter's book, from its newest publication or revision. */
  books: Record<string, string>;
  /** Users who completed each letter (in the window). */
  completions: Record<string, number>;
  /** By period: messages, voice milliseconds, completed donations. */
  periods: Record<string, { messages: number; voiceMs: number; donations: number }>;
}

const inScope = (revoltId: string, filters: ReportFilters) => filters.revoltId === undefined || revoltId === filters.revoltId;

/**
 * Folds what users do: memberships (as of the position), and in the window: messages (not the revolt's system
 * messages), voice time (a stay counts when it ends, with the length its event carries, as users.stats.voiceTime
 * does), completed donations and completed letters (letters belong to no revolt: a revolt asked for leaves them out).
 */
export function stepEngagement(state: EngagementState, recorded: RecordedEvent, filters: ReportFilters): EngagementState {
  const event = asDomainEvent(recorded);
  const at = eventTime(event);
  const period = () => (state.periods[bucketOf(at, filters.bucket)] ??= { messages: 0, voiceMs: 0, donations: 0 });
  switch (event.type) {
    case 'UserRegistered':
      state.users[event.data.userId] = { username: event.data.username, memberships: [], messages: 0, voiceMs: 0, donations: 0, lettersCompleted: 0 };
      return state;
    case 'LetterPublished':
    case 'LetterRevised':
      state.books[event.data.letterId] = event.data.book;
      return state;
    case 'MemberJoined':
    case 'MemberLeft':
    case 'MemberKicked':
    case 'MemberBanned': {
      const user = state.users[event.data.userId];
      if (!user || !inScope(event.data.revoltId, filters)) return state;
      user.memberships = user.memberships.filter((id) => id !== event.data.revoltId);
      if (event.type === 'MemberJoined') user.memberships.push(event.data.revoltId);
      return state;
    }
  }
  if (!inWindow(at, filters)) return state;
  switch (event.type) {
    case 'MessageSent': {
      const user = state.users[event.data.authorId];
      if (!user || event.data.type === 'system' || !inScope(event.data.revoltId, filters)) return state;
      user.messages += 1;
      period().messages += 1;
      return state;
    }
    case 'VoiceParticipantLeft': {
      const user = state.users[event.data.userId];
      if (!user || !inScope(event.data.revoltId, filters)) return state;
      user.voiceMs += event.data.durationMs;
      period().voiceMs += event.data.durationMs;
      return state;
    }
    case 'DonationCompleted': {
      const user = state.users[event.data.donorId];
      if (!user || !inScope(event.data.revoltId, filters)) return state;
      user.donations += 1;
      period().donations += 1;
      return state;
    }
    case 'LetterCompleted': {
      const user = state.users[event.data.userId];
      if (!user || filters.revoltId !== undefined) return state;
      user.lettersCompleted += 1;
      state.completions[event.data.letterId] = (state.completions[event.data.letterId] ?? 0) + 1;
      return state;
    }
    default:
      return state;
  }
}

const minutes = (ms: number) => round(ms / 60_000);

/** User engagement: letter completion per letter and book, revolt participation, messages, voice and donation frequency. */
export const engagement: Accumulator<EngagementState> = {
  name: 'engagement',
  title: 'User Engagement',
  description: 'Letter completion rates per letter and book, revolt participation, message activity, voice usage and donation frequency, per user and per period.',
  timeAxis: true,
  version: 1,
  init: () => ({ users: {}, books: {}, completions: {}, periods: {} }),
  step: stepEngagement,
  result(state) {
    const userIds = sortedKeys(state.users);
    const registered = userIds.length;
    const letters = Object.keys({ ...state.books, ...state.completions }).map(Number).sort((a, b) => a - b);
    const books = [...new Set(letters.map((l) => state.books[l] ?? ''))].sort();
    const participating = userIds.filter((id) => state.users[id]!.memberships.length > 0).length;
    return {
      tables: [
        {
          name: 'summary',
          title: 'Engagement',
          columns: [
            { key: 'users', label: 'Users', kind: 'integer' },
            { key: 'participationRate', label: 'Share in a revolt', kind: 'number' },
            { key: 'messagesPerUser', label: 'Messages per user', kind: 'number' },
            { key: 'voiceMinutesPerUser', label: 'Voice minutes per user', kind: 'number' },
            { key: 'donationsPerUser', label: 'Donations per user', kind: 'number' },
          ],
          rows: [
            {
              users: registered,
              participationRate: ratio(participating, registered),
              messagesPerUser: ratio(userIds.reduce((s, id) => s + state.users[id]!.messages, 0), registered),
              voiceMinutesPerUser: ratio(minutes(userIds.reduce((s, id) => s + state.users[id]!.voiceMs, 0)), registered),
              donationsPerUser: ratio(userIds.reduce((s, id) => s + state.users[id]!.donations, 0), registered),
            },
          ],
        },
        {
          name: 'letters',
          title: 'Letter completion',
          columns: [
            { key: 'letterId', label: 'Letter', kind: 'integer' },
            { key: 'book', label: 'Book', kind: 'text' },
            { key: 'completions', label: 'Completed by', kind: 'integer' },
            { key: 'completionRate', label: 'Completion rate', kind: 'number' },
          ],
          rows: letters.map((letterId) => ({ letterId, book: state.books[letterId] ?? '', completions: state.completions[letterId] ?? 0, completionRate: ratio(state.completions[letterId] ?? 0, registered) })),
        },
        {
          name: 'books',
          title: 'Completion per book',
          columns: [
            { key: 'book', label: 'Book', kind: 'text' },
            { key: 'letters', label: 'Letters', kind: 'integer' },
            { key: 'completions', label: 'Letter completions', kind: 'integer' },
            { key: 'completionRate', label: 'Completion rate (per letter and user)', kind: 'number' },
          ],
          rows: books.map((book) => {
            const inBook = letters.filter((l) => (state.books[l] ?? '') === book);
            const completions = inBook.reduce((s, l) => s + (state.completions[l] ?? 0), 0);
            return { book, letters: inBook.length, completions, completionRate: ratio(completions, inBook.length * registered) };
          }),
        },
        {
          name: 'users',
          title: 'Per user',
          columns: [
            { key: 'userId', label: 'User id', kind: 'text' },
            { key: 'username', label: 'Username', kind: 'text' },
            { key: 'revolts', label: 'Revolts (member now)', kind: 'integer' },
            { key: 'messages', label: 'Messages', kind: 'integer' },
            { key: 'voiceMinutes', label: 'Voice minutes', kind: 'number' },
            { key: 'donations', label: 'Donations', kind: 'integer' },
            { key: 'lettersCompleted', label: 'Letters completed', kind: 'integer' },
          ],
          rows: userIds.map((userId) => {
            const u = state.users[userId]!;
            return { userId, username: u.username, revolts: u.memberships.length, messages: u.messages, voiceMinutes: minutes(u.voiceMs), donations: u.donations, lettersCompleted: u.lettersCompleted };
          }),
        },
        {
          name: 'activity',
          title: 'Activity per period',
          columns: [
            { key: 'period', label: 'Period', kind: 'text' },
            { key: 'messages', label: 'Messages', kind: 'integer' },
            { key: 'voiceMinutes', label: 'Voice minutes', kind: 'number' },
            { key: 'donations', label: 'Donations', kind: 'integer' },
          ],
          rows: sortedKeys(state.periods).map((period) => ({ period, messages: state.periods[period]!.messages, voiceMinutes: minutes(state.periods[period]!.voiceMs), donations: state.periods[period]!.donations })),
        },
      ],
      charts: [
        { title: 'Activity per period', table: 'activity', kind: 'line', x: 'period', series: ['messages', 'voiceMinutes', 'donations'] },
        { title: 'Completion rate per letter', table: 'letters', kind: 'bar', x: 'letterId', series: ['completionRate'] },
      ],
    };
  },
};
