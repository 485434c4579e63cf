import { describe, expect, it } from 'vitest';
import { sessionDecider } from '../../src/commands/auth/session.ts';
import { issueToken, parseToken, secretMatches } from '../../src/commands/auth/tokens.ts';
import { reservationDecider, reservationStream } from '../../src/commands/reservations/reservation.ts';
import { userDecider } from '../../src/commands/users/decide.ts';
import { given } from '../support/decider.ts';

const at = '2026-01-01T00:00:00.000Z';

describe('reservations', () => {
  const claimed = [{ type: 'ValueClaimed' as const, data: { kind: 'email', ownerId: 'u1', claimedAt: at } }];

  it('the first claim wins; a second owner is refused; the owner re-claiming is a no-op', () => {
    given(reservationDecider).when({ type: 'Claim', kind: 'email', ownerId: 'u1', at }).then(claimed);
    given(reservationDecider, claimed).when({ type: 'Claim', kind: 'email', ownerId: 'u2', at }).thenFails(409, 'email_taken');
    given(reservationDecider, claimed).when({ type: 'Claim', kind: 'email', ownerId: 'u1', at }).then([]);
  });

  it('an abandoned claim can be taken over; a released value is free again', () => {
    given(reservationDecider, claimed)
      .when({ type: 'Claim', kind: 'email', ownerId: 'u2', at, takeOverAbandoned: true })
      .then([{ type: 'ValueClaimed', data: { kind: 'email', ownerId: 'u2', claimedAt: at } }]);
    const released = [...claimed, { type: 'ValueReleased' as const, data: { kind: 'email', ownerId: 'u1' } }];
    given(reservationDecider, released).when({ type: 'Claim', kind: 'email', ownerId: 'u2', at }).then((e) => expect(e).toHaveLength(1));
  });

  it('streams are case-insensitive and carry no personal data', () => {
    expect(reservationStream('email', 'A@X.io')).toBe(reservationStream('email', 'a@x.io'));
    expect(reservationStream('email', 'a@x.io')).not.toContain('x.io');
  });
});

describe('users and sessions', () => {
  const registered = [
    {
      type: 'UserRegistered' as const,
      data: { userId: 'a'.repeat(24), email: 'a@x.io', username: 'a', discriminator: '0001', passwordHash: 'h', userType: 'supporter' as const, joinedAt: at },
    },
  ];

  it('registers once; profile and status changes need a user and no-ops append nothing', () => {
    given(userDecider, registered)
      .when({ type: 'RegisterUser', userId: 'a'.repeat(24), email: 'a@x.io', username: 'a', discriminator: '0001', passwordHash: 'h', userType: 'supporter', link: { tokenId: 'b'.repeat(24), tokenHash: 'h' }, at })
      .thenFails(409, 'already_exists');
    given(userDecider).when({ type: 'SetStatus', status: 'away' }).thenFails(404, 'not_found');
    given(userDecider, registered).when({ type: 'SetStatus', status: 'online' }).then([]);
    given(userDecider, registered).when({ type: 'SetStatus', status: 'busy' }).then([{ type: 'UserStatusChanged', data: { userId: 'a'.repeat(24), status: 'busy' } }]);
    given(userDecider, registered).when({ type: 'UpdateProfile', changes: {} }).then([]);
  });

  it('a session is revoked once', () => {
    const started = [{ type: 'SessionStarted' as const, data: { sessionId: 's1', userId: 'a'.repeat(24), tokenHash: 'h', expiresAt: at } }];
    given(sessionDecider, started).when({ type: 'RevokeSession' }).then([{ type: 'SessionRevoked', data: { sessionId: 's1', userId: 'a'.repeat(24) } }]);
    given(sessionDecider, [...started, { type: 'SessionRevoked', data: { sessionId: 's1', userId: 'a'.repeat(24) } }]).when({ type: 'RevokeSession' }).then([]);
  });

  it('tokens verify only with their own secret', () => {
    const { token, tokenHash } = issueToken();
    const parsed = parseToken(token);
    expect(parsed).not.toBeNull();
    expect(secretMatches(parsed!.secret, tokenHash)).toBe(true);
    expect(secretMatches(issueToken().token.split('.')[1]!, tokenHash)).toBe(false);
    expect(parseToken('nope')).toBeNull();
    expect(parseToken(`${parsed!.sessionId}.short`)).toBeNull();
  });
});
