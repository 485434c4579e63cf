import type { StaffRole } from './events.ts';

export type RosterCommand =
  | { type: 'Grant'; userId: string; role: StaffRole; by: string; reason?: string; at: string }
  | { type: 'Revoke'; userId: string; role: StaffRole; by: string; reason?: string; at: string };
