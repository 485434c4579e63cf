import type { Presence, UserEvent } from './events.ts';
import { VERIFICATION_LINKS_PER_DAY } from './rules.ts';

export interface UserState {
  exists: boolean;
  userId: string;
  email: string;
  username: string;
  discriminator: string;
  passwordHash: string;
  status: 'online' | 'away' | 'busy' | 'invisible';
  /** Whether the user has a socket open on the realtime gateway (after its grace period). */
  connected: boolean;
  /** When the account was registered (its age counts in revolts' verification levels). */
  registeredAt: string;
  emailVerification: EmailVerificationState;
}

/** The links mailed to verify the user's address (see decide/email-verification.ts). */
export interface EmailVerificationState {
  /** When the address was verified; null until then. */
  verifiedAt: string | null;
  /** The newest link: the only one that verifies. */
  current: { tokenId: string; tokenHash: string; expiresAt: string } | null;
  /** The hashes of the links it superseded (the newest few), so that following an old link says so. */
  superseded: string[];
  /** The hash of the link that verified the address. */
  usedTokenHash: string | null;
  /** When the newest links were requested, oldest first (as many as the daily limit counts: VERIFICATION_LINKS_PER_DAY). */
  requestedAt: string[];
}

/** How many superseded links are told apart from unknown ones. */
const SUPERSEDED_KEPT = 10;

export const initialUserState: UserState = {
  exists: false,
  userId: '',
  email: '',
  username: '',
  discriminator: '',
  passwordHash: '',
  status: 'online',
  connected: false,
  registeredAt: '',
  emailVerification: { verifiedAt: null, current: null, superseded: [], usedTokenHash: null, requestedAt: [] },
};

/** What others see of a user: their status while connected and not invisible, else offline. */
export function presenceOf(state: Pick<UserState, 'connected' | 'status'>): Presence {
  return state.connected && state.status !== 'invisible' ? state.status : 'offline';
}

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, email, username, discriminator, passwordHash } = event.data;
      return { ...state, exists: true, userId, email, username, discriminator, passwordHash, registeredAt: event.data.joinedAt };
    }
    case 'EmailVerificationRequested': {
      const { tokenId, tokenHash, expiresAt, requestedAt } = event.data;
      const before = state.emailVerification;
      const superseded = before.current ? [...before.superseded, before.current.tokenHash].slice(-SUPERSEDED_KEPT) : before.superseded;
      const current = { tokenId, tokenHash, expiresAt };
      return { ...state, emailVerification: { ...before, current, superseded, requestedAt: [...before.requestedAt, requestedAt].slice(-VERIFICATION_LINKS_PER_DAY) } };
    }
    case 'EmailVerified': {
      const before = state.emailVerification;
      return { ...state, emailVerification: { ...before, verifiedAt: event.data.verifiedAt, usedTokenHash: before.current?.tokenHash ?? null, current: null } };
    }
    case 'UserProfileUpdated':
      return state;
    case 'UserStatusChanged':
      return { ...state, status: event.data.status };
    case 'UserPresenceChanged':
      return { ...state, connected: event.data.connected };
  }
}
