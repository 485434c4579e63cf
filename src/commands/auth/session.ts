import type { Decider } from '../decider.ts';
import { conflict } from '../errors.ts';
import type { SessionEvent } from '../users/events.ts';

export interface SessionState {
  exists: boolean;
  sessionId: string;
  userId: string;
  tokenHash: string;
  expiresAt: string;
  revoked: boolean;
}

export type SessionCommand =
  | { type: 'StartSession'; sessionId: string; userId: string; tokenHash: string; expiresAt: string }
  | { type: 'RevokeSession' };

/** A login session: its token's hash, expiry and revocation, recorded as events so logins are auditable. */
export const sessionDecider: Decider<SessionCommand, SessionState, SessionEvent> = {
  initialState: { exists: false, sessionId: '', userId: '', tokenHash: '', expiresAt: '', revoked: false },
  evolve(state, event) {
    switch (event.type) {
      case 'SessionStarted':
        return { exists: true, sessionId: event.data.sessionId, userId: event.data.userId, tokenHash: event.data.tokenHash, expiresAt: event.data.expiresAt, revoked: false };
      case 'SessionRevoked':
        return { ...state, revoked: true };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'StartSession': {
        if (state.exists) throw conflict('already_exists', 'session already exists');
        const { type: _, ...data } = command;
        return [{ type: 'SessionStarted', data }];
      }
      case 'RevokeSession':
        if (!state.exists || state.revoked) return [];
        return [{ type: 'SessionRevoked', data: { sessionId: state.sessionId, userId: state.userId } }];
    }
  },
};

export const sessionStream = (sessionId: string) => `session-${sessionId}`;
