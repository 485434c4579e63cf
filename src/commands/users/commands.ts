import type { Profile } from './events.ts';
import type { UserState } from './state.ts';

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
