import type { Decider } from '../decider.ts';
import { conflict, notFound } from '../errors.ts';
import type { Profile, UserEvent } from './events.ts';

export interface UserState {
  exists: boolean;
  userId: string;
  email: string;
  username: string;
  discriminator: string;
  passwordHash: string;
  status: 'online' | 'away' | 'busy' | 'invisible';
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
  | { type: 'SetStatus'; status: UserState['status'] };

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: { exists: false, userId: '', email: '', username: '', discriminator: '', passwordHash: '', status: 'online' },
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
        return [{ type: 'UserStatusChanged', data: { userId: state.userId, status: command.status } }];
    }
  },
};

export const userStream = (userId: string) => `user-${userId}`;
