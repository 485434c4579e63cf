import type { FastifyRequest } from 'fastify';
import { sessionDecider, sessionStream } from '../commands/auth/session.ts';
import { parseToken, secretMatches } from '../commands/auth/tokens.ts';
import { unauthorized } from '../commands/errors.ts';
import type { Services } from './services.ts';

/**
 * Resolves `Authorization: Bearer <token>` to the session's user. The session is read from the event store
 * (topped up from the handler's cache), so a logout is effective on every node at once.
 */
export function authenticator(services: Services) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw unauthorized('missing bearer token');
    const parsed = parseToken(header.slice(7).trim());
    if (!parsed) throw unauthorized('malformed token');
    const { state } = await services.commands.load(sessionStream(parsed.sessionId), sessionDecider);
    if (!state.exists || !secretMatches(parsed.secret, state.tokenHash)) throw unauthorized('invalid token');
    if (state.revoked) throw unauthorized('this token has been revoked');
    if (Date.parse(state.expiresAt) <= Date.now()) throw unauthorized('this token has expired');
    request.auth = { userId: state.userId, sessionId: parsed.sessionId };
  };
}
