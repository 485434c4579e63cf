import type { Decider } from '../decider.ts';
import { conflict, notFound, ruleBroken } from '../errors.ts';
import type { UserCommand } from './commands.ts';
import { linkRequested, requestLink, verify } from './decide/email-verification.ts';
import type { UserEvent } from './events.ts';
import { evolveUser, initialUserState, presenceOf, type UserState } from './state.ts';

export { presenceOf } from './state.ts';

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: initialUserState,
  evolve: evolveUser,
  decide(command, state) {
    if (command.type === 'RegisterUser') {
      if (state.exists) throw conflict('already_exists', 'user already exists');
      const { type: _, at, link, ...data } = command;
      return [{ type: 'UserRegistered', data: { ...data, joinedAt: at } }, linkRequested(data.userId, link, at)];
    }
    if (command.type === 'VerifyEmail' && !state.exists) throw ruleBroken('verification_token_invalid', 'this verification link is not valid');
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
      case 'RequestEmailVerification':
        return requestLink(state, command.link, command.at);
      case 'VerifyEmail':
        return verify(state, command.tokenHash, command.at);
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
