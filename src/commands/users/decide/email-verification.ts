import { AppError, conflict, ruleBroken, tooManyRequests } from '../../errors.ts';
import type { LinkIssue } from '../commands.ts';
import type { UserEvent } from '../events.ts';
import { DAY_MS, VERIFICATION_LINK_INTERVAL_MS, VERIFICATION_LINK_TTL_MS, VERIFICATION_LINKS_PER_DAY } from '../rules.ts';
import type { UserState } from '../state.ts';

/** The event that mails a new verification link, issued `at`. */
export function linkRequested(userId: string, link: LinkIssue, at: string): UserEvent {
  const expiresAt = new Date(Date.parse(at) + VERIFICATION_LINK_TTL_MS).toISOString();
  return { type: 'EmailVerificationRequested', data: { userId, tokenId: link.tokenId, tokenHash: link.tokenHash, expiresAt, requestedAt: at } };
}

/**
 * A new link (a resend): refused once the address is verified, and beyond one a minute and five a day (the
 * registration's link counts), with the time the next one may be asked for.
 */
export function requestLink(state: UserState, link: LinkIssue, at: string): UserEvent[] {
  const { verifiedAt, requestedAt } = state.emailVerification;
  if (verifiedAt !== null) throw conflict('already_verified', 'your email address is verified already');
  const now = Date.parse(at);
  const latest = requestedAt.at(-1);
  if (latest !== undefined && now - Date.parse(latest) < VERIFICATION_LINK_INTERVAL_MS) {
    throw refusedUntil(Date.parse(latest) + VERIFICATION_LINK_INTERVAL_MS, now, 'per_minute', 'a verification mail was sent less than a minute ago');
  }
  const oldestCounted = requestedAt.length >= VERIFICATION_LINKS_PER_DAY ? requestedAt.at(-VERIFICATION_LINKS_PER_DAY) : undefined;
  if (oldestCounted !== undefined && now - Date.parse(oldestCounted) < DAY_MS) {
    throw refusedUntil(Date.parse(oldestCounted) + DAY_MS, now, 'per_day', `at most ${VERIFICATION_LINKS_PER_DAY} verification mails are sent a day`);
  }
  return [linkRequested(state.userId, link, at)];
}

function refusedUntil(retryAt: number, now: number, limit: 'per_minute' | 'per_day', message: string): AppError {
  return tooManyRequests(message, (retryAt - now) / 1000, { limit, retryAt: new Date(retryAt).toISOString() });
}

/**
 * Following a link verifies the address when it is the newest link and has not expired; every other link is refused
 * saying why: used already, superseded by a newer mail, expired, or unknown.
 */
export function verify(state: UserState, tokenHash: string, at: string): UserEvent[] {
  const { verifiedAt, current, superseded, usedTokenHash } = state.emailVerification;
  if (usedTokenHash === tokenHash) throw conflict('verification_token_used', 'this verification link has been used already');
  if (verifiedAt !== null) throw conflict('already_verified', 'your email address is verified already');
  if (superseded.includes(tokenHash)) {
    throw ruleBroken('verification_token_superseded', 'a newer verification mail was sent: follow the link in that one');
  }
  if (!current || current.tokenHash !== tokenHash) throw ruleBroken('verification_token_invalid', 'this verification link is not valid');
  if (Date.parse(at) >= Date.parse(current.expiresAt)) {
    throw ruleBroken('verification_token_expired', 'this verification link has expired: ask for a new one', { expiredAt: current.expiresAt });
  }
  return [{ type: 'EmailVerified', data: { userId: state.userId, verifiedAt: at } }];
}
