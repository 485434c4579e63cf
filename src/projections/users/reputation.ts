import type { DomainEvent } from '../event-types.ts';

/**
 * `stats.reputation`, a fold over events (docs/reputation.md). Each source credits units to one user; a source's
 * units of one UTC day are netted and worth `points` per `per` units, at most `dailyCap` points a day either way,
 * so taking back (an unreaction, a refund) undoes what was given and loops of give-and-take earn nothing.
 */
export const REPUTATION_RULES = {
  /** A reaction to your message by someone else: +1, removed: −1. */
  reactions: { points: 1, per: 1, dailyCap: 20 },
  /** A letter of the course completed. */
  letters: { points: 10, per: 1, dailyCap: 50 },
  /** Someone else joins a revolt you own. */
  members: { points: 2, per: 1, dailyCap: 20 },
  /** Money others gave to your revolts, in minor units, completed minus refunded. */
  donations: { points: 1, per: 500, dailyCap: 100 },
} as const satisfies Record<string, { points: number; per: number; dailyCap: number }>;

export type ReputationSource = keyof typeof REPUTATION_RULES;

export interface ReputationCredit {
  userId: string;
  source: ReputationSource;
  /** Signed: a debit takes back a credit. */
  units: number;
  /** The UTC day (YYYY-MM-DD) of the event's own time. */
  day: string;
  position: number;
}

/**
 * What a user's reputation needs to go on: the units netted so far on the latest day of each source, and the
 * position of the last credit applied (the guard that makes redelivery a no-op).
 */
export interface ReputationLedger {
  pos: number;
  days: Partial<Record<ReputationSource, { day: string; net: number }>>;
}

const dayOf = (at: string) => new Date(at).toISOString().slice(0, 10);

/** The credits one event gives (none for giving to yourself). */
export function reputationCredits(event: DomainEvent): ReputationCredit[] {
  const credit = (userId: string, source: ReputationSource, units: number, at: string): ReputationCredit[] => [
    { userId, source, units, day: dayOf(at), position: event.position },
  ];
  switch (event.type) {
    case 'ReactionAdded':
    case 'ReactionRemoved': {
      const { authorId, userId, at } = event.data;
      if (!authorId || authorId === userId) return [];
      return credit(authorId, 'reactions', event.type === 'ReactionAdded' ? 1 : -1, at);
    }
    case 'MemberJoined': {
      const { ownerId, userId, joinedAt } = event.data;
      return ownerId && ownerId !== userId ? credit(ownerId, 'members', 1, joinedAt) : [];
    }
    case 'DonationCompleted':
      return event.data.donorId === event.data.ownerId ? [] : credit(event.data.ownerId, 'donations', event.data.amount, event.data.completedAt);
    case 'DonationRefunded':
      return event.data.donorId === event.data.ownerId ? [] : credit(event.data.ownerId, 'donations', -event.data.amount, event.data.refundedAt);
    case 'LetterCompleted':
      return credit(event.data.userId, 'letters', 1, event.data.at);
    default:
      return [];
  }
}

/** The points a day's net units of a source are worth. */
export function dayPoints(source: ReputationSource, net: number): number {
  const { points, per, dailyCap } = REPUTATION_RULES[source];
  const raw = Math.trunc((net * points) / per);
  return Math.max(-dailyCap, Math.min(dailyCap, raw));
}

export interface Reputation {
  reputation: number;
  ledger: ReputationLedger;
}

export const emptyLedger = (): ReputationLedger => ({ pos: 0, days: {} });

/**
 * Applies the credits not yet applied (position above the ledger's), in order. A credit dated before the day a
 * source has reached counts on that day (days never reopen); reputation never goes below zero.
 */
export function applyCredits(from: Reputation, credits: readonly ReputationCredit[]): Reputation {
  let { reputation } = from;
  const days = { ...from.ledger.days };
  let pos = from.ledger.pos;
  for (const credit of credits) {
    if (credit.position <= pos) continue;
    const open = days[credit.source];
    const day = open && open.day > credit.day ? open.day : credit.day;
    const before = open?.day === day ? open.net : 0;
    const after = before + credit.units;
    reputation = Math.max(0, reputation + dayPoints(credit.source, after) - dayPoints(credit.source, before));
    days[credit.source] = { day, net: after };
    pos = credit.position;
  }
  return { reputation, ledger: { pos, days } };
}
