import { describe, expect, it } from 'vitest';
import type { UserCommand } from '../../../src/commands/users/commands.ts';
import { userDecider } from '../../../src/commands/users/decide.ts';
import type { UserEvent } from '../../../src/commands/users/events.ts';
import { parseVerificationToken, verificationToken } from '../../../src/commands/users/verification-token.ts';
import { given } from '../../support/decider.ts';

const USER = 'a'.repeat(24);
const SECRET = 'a-test-secret-of-some-length';
const t0 = '2026-01-01T00:00:00.000Z';
const after = (ms: number) => new Date(Date.parse(t0) + ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The n-th link: its token id and hash as the routes issue them. */
const link = (n: number) => {
  const tokenId = n.toString(16).padStart(24, '0');
  return { tokenId, tokenHash: verificationToken(SECRET, USER, tokenId).tokenHash };
};

const register: UserCommand = {
  type: 'RegisterUser',
  userId: USER,
  email: 'ada@example.com',
  username: 'ada',
  discriminator: '0427',
  passwordHash: 'argon2-hash',
  userType: 'supporter',
  link: link(1),
  at: t0,
};
const registered: UserEvent[] = userDecider.decide(register, userDecider.initialState);
const requested = (n: number, at: string): UserEvent => ({
  type: 'EmailVerificationRequested',
  data: { userId: USER, ...link(n), expiresAt: after(Date.parse(at) - Date.parse(t0) + 24 * HOUR), requestedAt: at },
});
const verified: UserEvent = { type: 'EmailVerified', data: { userId: USER, verifiedAt: after(MINUTE) } };
const resend = (n: number, at: string): UserCommand => ({ type: 'RequestEmailVerification', link: link(n), at });
const verify = (n: number, at: string): UserCommand => ({ type: 'VerifyEmail', tokenHash: link(n).tokenHash, at });

describe('the verification token', () => {
  it('names its user, and only its secret hashes to what the request recorded', () => {
    const { token, tokenHash } = verificationToken(SECRET, USER, link(1).tokenId);
    expect(token.startsWith(`${USER}.`)).toBe(true);
    expect(parseVerificationToken(token)).toEqual({ userId: USER, tokenHash });
    expect(tokenHash).not.toContain(token.split('.')[1]);
    expect(verificationToken('another-secret-entirely', USER, link(1).tokenId).tokenHash).not.toBe(tokenHash);
    expect(verificationToken(SECRET, 'b'.repeat(24), link(1).tokenId).tokenHash).not.toBe(tokenHash);
    expect(parseVerificationToken(`${USER}.short`)).toBeNull();
    expect(parseVerificationToken(token.replace(USER, 'not-a-user'))).toBeNull();
  });
});

describe('email verification (given/when/then)', () => {
  it('registration records the user and the first link, expiring a day later, with only the hash of its token', () => {
    expect(registered).toEqual([
      { type: 'UserRegistered', data: { userId: USER, email: 'ada@example.com', username: 'ada', discriminator: '0427', passwordHash: 'argon2-hash', userType: 'supporter', joinedAt: t0 } },
      requested(1, t0),
    ]);
  });

  it('the newest link verifies before it expires', () => {
    given(userDecider, registered).when(verify(1, after(23 * HOUR))).then([{ type: 'EmailVerified', data: { userId: USER, verifiedAt: after(23 * HOUR) } }]);
  });

  it('a link works once: a second use is refused as used', () => {
    given(userDecider, [...registered, verified]).when(verify(1, after(2 * MINUTE))).thenFails(409, 'verification_token_used');
  });

  it('an expired link is refused, saying when it expired', () => {
    given(userDecider, registered).when(verify(1, after(24 * HOUR))).thenFails(422, 'verification_token_expired');
    const state = given(userDecider, registered).state;
    expect(() => userDecider.decide(verify(1, after(25 * HOUR)), state)).toThrowError(expect.objectContaining({ details: { expiredAt: after(24 * HOUR) } }));
  });

  it('a new link supersedes the older ones; an unknown token or user is invalid', () => {
    const history = [...registered, requested(2, after(2 * MINUTE))];
    given(userDecider, history).when(verify(1, after(3 * MINUTE))).thenFails(422, 'verification_token_superseded');
    given(userDecider, history).when(verify(3, after(3 * MINUTE))).thenFails(422, 'verification_token_invalid');
    given(userDecider).when(verify(1, after(MINUTE))).thenFails(422, 'verification_token_invalid');
    given(userDecider, history).when(verify(2, after(3 * MINUTE))).then([{ type: 'EmailVerified', data: { userId: USER, verifiedAt: after(3 * MINUTE) } }]);
  });

  it('once verified, an older link says so, and no link is sent again', () => {
    const history = [...registered, requested(2, after(2 * MINUTE)), { ...verified, data: { userId: USER, verifiedAt: after(3 * MINUTE) } }];
    given(userDecider, history).when(verify(1, after(4 * MINUTE))).thenFails(409, 'already_verified');
    given(userDecider, history).when(resend(3, after(10 * MINUTE))).thenFails(409, 'already_verified');
  });

  it('resends: one a minute', () => {
    given(userDecider, registered).when(resend(2, after(59_999))).thenFails(429, 'rate_limited');
    given(userDecider, registered).when(resend(2, after(MINUTE))).then([requested(2, after(MINUTE))]);
  });

  it('resends: five links a day, the registration included, then none until the oldest is a day old', () => {
    const history = [...registered, ...[1, 2, 3, 4].map((n) => requested(n + 1, after(n * HOUR)))];
    const refused = () => userDecider.decide(resend(6, after(23 * HOUR)), given(userDecider, history).state);
    expect(refused).toThrowError(expect.objectContaining({ code: 'rate_limited', status: 429, details: { limit: 'per_day', retryAt: after(24 * HOUR) }, headers: { 'retry-after': String(HOUR / 1000) } }));
    given(userDecider, history).when(resend(6, after(24 * HOUR))).then([requested(6, after(24 * HOUR))]);
  });
});
