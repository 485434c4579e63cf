import { sessionDecider, sessionStream, type SessionState } from '../commands/auth/session.ts';
import { parseToken, secretMatches } from '../commands/auth/tokens.ts';
import type { CommandHandler } from '../commands/handler.ts';

export interface GatewayAuth {
  userId: string;
  /** The login session the token belongs to (its revocation closes the gateway sessions made with it). */
  authSessionId: string;
}

const MAX_CACHED = 50_000;

type CachedLogin = Pick<SessionState, 'userId' | 'tokenHash' | 'expiresAt'>;

/**
 * Resolves tokens exactly as the HTTP API does (src/http/auth.ts): `<sessionId>.<secret>`, the login session read
 * from its stream, the secret compared in constant time, revoked and expired sessions refused.
 *
 * A reconnect storm brings the same tokens many times, so login sessions are cached per node. That is safe because
 * the node sees every event: a SessionRevoked passing through the dispatcher marks the login session revoked here
 * (and closes its sockets), and a session being attached is checked against that mark once more in the dispatch
 * queue, after every event up to its start has been seen.
 */
export class TokenAuthenticator {
  private readonly cache = new Map<string, CachedLogin>();
  private readonly revoked = new Set<string>();

  constructor(private readonly commands: CommandHandler) {}

  async authenticate(token: string): Promise<GatewayAuth | null> {
    const parsed = parseToken(token.trim());
    if (!parsed || this.revoked.has(parsed.sessionId)) return null;
    const login = await this.login(parsed.sessionId);
    if (!login || !secretMatches(parsed.secret, login.tokenHash) || Date.parse(login.expiresAt) <= Date.now()) return null;
    return { userId: login.userId, authSessionId: parsed.sessionId };
  }

  /** Whether a login session (by id) still stands for `userId` (RESUME without a token). */
  async stands(authSessionId: string, userId: string): Promise<boolean> {
    if (this.revoked.has(authSessionId)) return false;
    const login = await this.login(authSessionId);
    return login !== null && login.userId === userId && Date.parse(login.expiresAt) > Date.now();
  }

  /** The login session, from the cache or its stream (cached then); null if it does not exist or was revoked (marked so). */
  private async login(authSessionId: string): Promise<CachedLogin | null> {
    const cached = this.cache.get(authSessionId);
    if (cached) return cached;
    const { state } = await this.commands.load(sessionStream(authSessionId), sessionDecider);
    if (!state.exists) return null;
    if (state.revoked) {
      this.revoke(authSessionId);
      return null;
    }
    const login: CachedLogin = { userId: state.userId, tokenHash: state.tokenHash, expiresAt: state.expiresAt };
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(authSessionId, login);
    return login;
  }

  /** A SessionRevoked event was seen. */
  revoke(authSessionId: string): void {
    this.cache.delete(authSessionId);
    if (this.revoked.size >= MAX_CACHED) this.revoked.delete(this.revoked.values().next().value!);
    this.revoked.add(authSessionId);
  }

  isRevoked(authSessionId: string): boolean {
    return this.revoked.has(authSessionId);
  }
}
