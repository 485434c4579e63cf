import type { RecordedEvent } from '../../events/envelope.ts';
import { asDomainEvent } from '../../projections/event-types.ts';
import type { ReportFilters } from '../engine/accumulator.ts';
import { eventTime, inWindow } from '../engine/time.ts';

/** A user as the users read model counts them (src/projections/users/read-model.ts). */
export interface LedgerUser {
  username: string;
  userType: string;
  joinedAt: string;
  /** Distinct revolts ever joined (in scope). */
  joined: string[];
  /** Messages sent (in scope and window). */
  messagesSent: number;
  lastSeen: string;
  /** Completed minus refunded minor units (in scope and window), over currencies. */
  totalDonated: number;
  /** Completed donations (in scope and window). */
  donationCount: number;
  currencies: string[];
}

export type UserLedger = Record<string, LedgerUser>;

const inScope = (revoltId: string, filters: ReportFilters) => filters.revoltId === undefined || revoltId === filters.revoltId;

/**
 * Folds one event into the per-user ledger. Registration and lastSeen (moved by a visible presence change) are as
 * of the replay's position; messages and donations count when recorded in the window and in the revolt asked for;
 * joins count once per revolt, as `stats.revoltsJoined` does.
 */
export function stepUserLedger(users: UserLedger, recorded: RecordedEvent, filters: ReportFilters): UserLedger {
  const event = asDomainEvent(recorded);
  switch (event.type) {
    case 'UserRegistered': {
      const d = event.data;
      users[d.userId] = { username: d.username, userType: d.userType, joinedAt: d.joinedAt, joined: [], messagesSent: 0, lastSeen: d.joinedAt, totalDonated: 0, donationCount: 0, currencies: [] };
      return users;
    }
    case 'UserProfileUpdated': {
      const user = users[event.data.userId];
      if (user && event.data.changes.userType !== undefined) user.userType = event.data.changes.userType;
      return users;
    }
    case 'UserPresenceChanged': {
      const user = users[event.data.userId];
      if (user && event.data.presence !== event.data.previousPresence) user.lastSeen = event.data.at;
      return users;
    }
    case 'MemberJoined': {
      const user = users[event.data.userId];
      if (user && inScope(event.data.revoltId, filters) && !user.joined.includes(event.data.revoltId)) user.joined.push(event.data.revoltId);
      return users;
    }
    case 'MessageSent': {
      const user = users[event.data.authorId];
      if (user && inScope(event.data.revoltId, filters) && inWindow(eventTime(event), filters)) user.messagesSent += 1;
      return users;
    }
    case 'DonationCompleted':
    case 'DonationRefunded': {
      const user = users[event.data.donorId];
      if (!user || !inScope(event.data.revoltId, filters) || !inWindow(eventTime(event), filters)) return users;
      if (event.type === 'DonationCompleted') {
        user.totalDonated += event.data.amount;
        user.donationCount += 1;
      } else {
        user.totalDonated -= event.data.amount;
      }
      if (!user.currencies.includes(event.data.currency)) user.currencies = [...user.currencies, event.data.currency].sort();
      return users;
    }
    default:
      return users;
  }
}

/** The users a report lists, in a stable order (by id): with a revolt asked for, those who ever joined it. */
export function listedUsers(users: UserLedger, filters: ReportFilters): [string, LedgerUser][] {
  return Object.entries(users)
    .filter(([, user]) => filters.revoltId === undefined || user.joined.includes(filters.revoltId))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The users with the most messages (ties by id), for a chart. */
export function mostActive(users: [string, LedgerUser][], count: number): [string, LedgerUser][] {
  return [...users].sort(([a, x], [b, y]) => y.messagesSent - x.messagesSent || (a < b ? -1 : 1)).slice(0, count);
}
