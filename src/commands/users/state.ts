import type { Presence, UserEvent } from './events.ts';

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
}

export const initialUserState: UserState = { exists: false, userId: '', email: '', username: '', discriminator: '', passwordHash: '', status: 'online', connected: false };

/** What others see of a user: their status while connected and not invisible, else offline. */
export function presenceOf(state: Pick<UserState, 'connected' | 'status'>): Presence {
  return state.connected && state.status !== 'invisible' ? state.status : 'offline';
}

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, email, username, discriminator, passwordHash } = event.data;
      return { ...state, exists: true, userId, email, username, discriminator, passwordHash };
    }
    case 'UserProfileUpdated':
      return state;
    case 'UserStatusChanged':
      return { ...state, status: event.data.status };
    case 'UserPresenceChanged':
      return { ...state, connected: event.data.connected };
  }
}
