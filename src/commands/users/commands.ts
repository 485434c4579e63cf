import type { Profile } from './events.ts';
import type { UserState } from './state.ts';

/** A verification link as issued: its token's id and its secret's hash (see verification-token.ts). */
export interface LinkIssue {
  tokenId: string;
  tokenHash: string;
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
      /** The verification link mailed to the new address. */
      link: LinkIssue;
      at: string;
    }
  /** Mails a new verification link (superseding the ones before it). */
  | { type: 'RequestEmailVerification'; link: LinkIssue; at: string }
  /** Follows a verification link: `tokenHash` is the hash of the presented token's secret. */
  | { type: 'VerifyEmail'; tokenHash: string; at: string }
  | { type: 'UpdateProfile'; changes: Profile }
  | { type: 'SetStatus'; status: UserState['status']; at?: string }
  /** From the gateway: the user's first socket opened, or the last one closed (after a grace period). */
  | { type: 'SetConnected'; connected: boolean; at: string };
