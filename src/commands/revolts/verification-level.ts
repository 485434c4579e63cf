import { AppError } from '../errors.ts';
import type { AccountStanding } from '../users/standing.ts';
import type { RevoltState } from './state.ts';

/**
 * A revolt's verification level (`settings.verificationLevel`), as Discord defines its levels, for speaking in it
 * (sending messages, joining voice); joining the revolt itself is never blocked:
 *   0 none · 1 a verified email · 2 also an account registered more than 5 minutes ago ·
 *   3 also a member of this revolt for more than 10 minutes · 4 also a member for more than 24 hours (Discord asks
 *   for a verified phone, which this platform does not have; see docs/verification.md for why a day in the revolt).
 * The owner and members holding any role (beyond the implicit @everyone) are exempt, as on Discord.
 */
export type VerificationRequirement = 'verified_email' | 'account_age' | 'membership_age';

const ACCOUNT_AGE_MS = 5 * 60_000;
const MEMBERSHIP_AGE_MS: Record<number, number> = { 3: 10 * 60_000, 4: 24 * 3600_000 };

export interface VerificationShortfall {
  level: number;
  /** What the account lacks, in the order above. */
  missing: VerificationRequirement[];
  /** When time alone meets every requirement missing that is an age (absent when none is). */
  availableAt?: string;
}

/** Whether the level asks anything of `userId`'s account at all: callers look the standing up only then. */
export function verificationApplies(revolt: RevoltState, userId: string): boolean {
  if (revolt.settings.verificationLevel <= 0 || revolt.ownerId === userId) return false;
  return (revolt.members.get(userId)?.roles.length ?? 0) === 0;
}

/**
 * What `userId` lacks at `at` to speak in `revolt`, or null. A non-member (who may be about to join, as through an
 * invite) is counted a member from `at`.
 */
export function verificationShortfall(revolt: RevoltState, userId: string, account: AccountStanding | undefined, at: string): VerificationShortfall | null {
  if (!verificationApplies(revolt, userId)) return null;
  if (!account) throw new Error('the verification level applies, but the account standing was not looked up');
  const level = revolt.settings.verificationLevel;
  const now = Date.parse(at);
  const missing: VerificationRequirement[] = [];
  const waits: number[] = [];
  if (!account.emailVerified) missing.push('verified_email');
  const ageAt = (since: string, age: number) => {
    const metAt = Date.parse(since) + age;
    if (metAt <= now) return false;
    waits.push(metAt);
    return true;
  };
  if (level >= 2 && ageAt(account.registeredAt, ACCOUNT_AGE_MS)) missing.push('account_age');
  const membershipAge = MEMBERSHIP_AGE_MS[Math.min(level, 4)];
  if (membershipAge !== undefined && ageAt(revolt.members.get(userId)?.joinedAt ?? at, membershipAge)) missing.push('membership_age');
  if (missing.length === 0) return null;
  return { level, missing, ...(waits.length > 0 && { availableAt: new Date(Math.max(...waits)).toISOString() }) };
}

const SAYS: Record<VerificationRequirement, string> = {
  verified_email: 'a verified email address',
  account_age: 'an account older than 5 minutes',
  membership_age: 'a longer membership',
};

/** Throws `verification_required` (403) naming what is missing when `userId` may not speak in `revolt` yet. */
export function assertVerificationLevel(revolt: RevoltState, userId: string, account: AccountStanding | undefined, at: string): void {
  const shortfall = verificationShortfall(revolt, userId, account, at);
  if (!shortfall) return;
  const needs = shortfall.missing.map((m) => SAYS[m]).join(' and ');
  throw new AppError('verification_required', `this revolt's verification level (${shortfall.level}) asks for ${needs}`, shortfall);
}
