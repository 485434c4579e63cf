import type { Decider } from '../decider.ts';
import type { RosterCommand } from './commands.ts';
import type { StaffEvent } from './events.ts';
import { evolveRoster, initialRosterState, type RosterState } from './state.ts';

/**
 * Who is staff, in which roles. Operators manage the course, analysts read reports, auditors read every
 * donation's full trail (donor included, even when anonymous) and run the chain verifier. Roles are granted and
 * revoked from the command line (`npm run staff -- grant <userId> <role>`), each change an event on this one
 * hash-chained stream (it kept the name it had when it held auditors only), so who could do what, since when and
 * on whose word is itself part of the audited trail. No HTTP route grants a role: it is not something any API
 * user can confer.
 */
export const STAFF_ROSTER_STREAM = 'audit-roster';

export const rosterDecider: Decider<RosterCommand, RosterState, StaffEvent> = {
  initialState: initialRosterState,
  evolve: evolveRoster,
  decide(command, state) {
    const { userId, role, at } = command;
    const reason = command.reason === undefined ? {} : { reason: command.reason };
    const holds = state.roles.get(userId)?.has(role) ?? false;
    if (command.type === 'Grant') {
      return holds ? [] : [{ type: 'StaffRoleGranted', data: { userId, role, grantedBy: command.by, ...reason, at } }];
    }
    return holds ? [{ type: 'StaffRoleRevoked', data: { userId, role, revokedBy: command.by, ...reason, at } }] : [];
  },
};
