import type { Decider } from '../decider.ts';
import { conflict, notFound } from '../errors.ts';
import type { Presence, Profile, UserEvent } from './events.ts';

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

/** What others see of a user: their status while connected and not invisible, else offline. */
export function presenceOf(state: Pick<UserState, 'connected' | 'status'>): Presence {
  return state.connected && state.status !== 'invisible' ? state.status : 'offline';
}

export type UserCommand =
  | {
      type: 'RegisterUser';
      userId: string;
      email: string;
      username: string;
      discriminator: string;
      passwordHash: string;
      userType: 'creator' | 'supporter';
      at: string;
    }
  | { type: 'UpdateProfile'; changes: Profile }
  | { type: 'SetStatus'; status: UserState['status']; at?: string }
  /** From the gateway: the user's first socket opened, or the last one closed (after a grace period). */
  | { type: 'SetConnected'; connected: boolean; at: string };

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: { exists: false, userId: '', email: '', username: '', discriminator: '', passwordHash: '', status: 'online', connected: false },
  evolve(state, event) {
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
  },
  decide(command, state) {
    if (command.type === 'RegisterUser') {
      if (state.exists) throw conflict('already_exists', 'user already exists');
      const { type: _, at, ...data } = command;
      return [{ type: 'UserRegistered', data: { ...data, joinedAt: at } }];
    }
    if (!state.exists) throw notFound('user');
    switch (command.type) {
      case 'UpdateProfile':
        if (Object.keys(command.changes).length === 0) return [];
        return [{ type: 'UserProfileUpdated', data: { userId: state.userId, changes: command.changes } }];
      case 'SetStatus':
        if (command.status === state.status) return [];
        return [
          { type: 'UserStatusChanged', data: { userId: state.userId, status: command.status } },
          ...presenceChange(state, { ...state, status: command.status }, command.at ?? new Date().toISOString()),
        ];
      case 'SetConnected':
        if (command.connected === state.connected) return [];
        return presenceChange(state, { ...state, connected: command.connected }, command.at);
    }
  },
};

/** What others and the user's own sockets are told of a change from `state` to `next`: nothing if neither presence nor connection changed. */
function presenceChange(state: UserState, next: UserState, at: string): UserEvent[] {
  const previousPresence = presenceOf(state);
  const presence = presenceOf(next);
  if (presence === previousPresence && next.connected === state.connected) return [];
  return [{ type: 'UserPresenceChanged', data: { userId: state.userId, connected: next.connected, presence, previousPresence, at } }];
}

export const userStream = (userId: string) => `user-${userId}`;
