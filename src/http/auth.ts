import type { FastifyRequest } from 'fastify';
import { sessionDecider, sessionStream } from '../commands/auth/session.ts';
import { parseToken, secretMatches } from '../commands/auth/tokens.ts';
import { AppError, unauthorized } from '../commands/errors.ts';
import { AUTH_FAILURE_LIMIT, rateLimited, type RateLimiter } from './rate-limit.ts';
import type { Services } from './services.ts';

/**
 * Resolves `Authorization: Bearer <token>` to the session's user. The session is read from the event store
 * (topped up from the handler's cache), so a logout is effective on every node at once. Failed attempts count per
 * address; past AUTH_FAILURE_LIMIT the address is refused before its token is looked at, so a flood of bogus
 * tokens costs one Redis read each, not a store read.
 */
export function authenticator(services: Services, limiter: RateLimiter) {
  const { bucket } = AUTH_FAILURE_LIMIT;

  async function sessionOf(header: string | undefined) {
    if (!header?.startsWith('Bearer ')) throw unauthorized('missing bearer token');
    const parsed = parseToken(header.slice(7).trim());
    if (!parsed) throw unauthorized('malformed token');
    const { state } = await services.commands.load(sessionStream(parsed.sessionId), sessionDecider);
    if (!state.exists || !secretMatches(parsed.secret, state.tokenHash)) throw unauthorized('invalid token');
    if (state.revoked) throw unauthorized('this token has been revoked');
    if (Date.parse(state.expiresAt) <= Date.now()) throw unauthorized('this token has expired');
    return { userId: state.userId, sessionId: parsed.sessionId };
  }

  return async function authenticate(request: FastifyRequest): Promise<void> {
    const who = `ip:${request.ip}`;
    const failures = await limiter.peek(AUTH_FAILURE_LIMIT, bucket, who);
    if (failures.count >= failures.limit) {
      throw rateLimited(failures, AUTH_FAILURE_LIMIT, bucket, `too many failed authentications from this address; retry in ${failures.resetSeconds}s`);
    }
    try {
      request.auth = await sessionOf(request.headers.authorization);
    } catch (error) {
      if (error instanceof AppError && error.status === 401) await limiter.hit(AUTH_FAILURE_LIMIT, bucket, who);
      throw error;
    }
  };
}
