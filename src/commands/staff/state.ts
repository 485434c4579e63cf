import type { StaffEvent, StaffRole } from './events.ts';

export interface RosterState {
  /** Each staff member's roles; a user with none is not in it. */
  roles: ReadonlyMap<string, ReadonlySet<StaffRole>>;
}

export const initialRosterState: RosterState = { roles: new Map() };

function withRole(state: RosterState, userId: string, role: StaffRole, held: boolean): RosterState {
  const roles = new Set(state.roles.get(userId));
  if (held) roles.add(role);
  else roles.delete(role);
  const next = new Map(state.roles);
  if (roles.size > 0) next.set(userId, roles);
  else next.delete(userId);
  return { roles: next };
}

export function evolveRoster(state: RosterState, event: StaffEvent): RosterState {
  switch (event.type) {
    case 'StaffRoleGranted':
      return withRole(state, event.data.userId, event.data.role, true);
    case 'StaffRoleRevoked':
      return withRole(state, event.data.userId, event.data.role, false);
    case 'AuditorGranted':
      return withRole(state, event.data.userId, 'auditor', true);
    case 'AuditorRevoked':
      return withRole(state, event.data.userId, 'auditor', false);
  }
}
