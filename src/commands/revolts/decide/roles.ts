import { notFound, ruleBroken } from '../../errors.ts';
import { requireRevoltPermission } from '../../permissions/access.ts';
import { assertGrantable, assertOutranks, assertRoleBelow, highestRolePosition } from '../../permissions/hierarchy.ts';
import type { RevoltCommandOf } from '../commands.ts';
import type { RevoltEvent } from '../events.ts';
import { MAX_ROLES } from '../rules.ts';
import type { RevoltState, RoleState } from '../state.ts';

export function createRole(command: RevoltCommandOf<'CreateRole'>, state: RevoltState): RevoltEvent[] {
  const actor = requireRevoltPermission(state, command.actorId, 'MANAGE_ROLES');
  if (state.roles.size >= MAX_ROLES) throw ruleBroken('too_many_roles', `a revolt has at most ${MAX_ROLES} roles`);
  if (state.roles.has(command.roleId)) return [];
  // A new role goes right below the creator's highest role unless placed explicitly (and legally) lower.
  const highest = highestRolePosition(actor);
  const position = command.position ?? (Number.isFinite(highest) ? Math.max(1, highest - 1) : maxPosition(state) + 1);
  if (position < 1) throw ruleBroken('invalid_position', 'position 0 belongs to @everyone');
  assertRoleBelow(actor, position, 'that position');
  assertGrantable(actor, command.permissions);
  const { roleId, name, color, permissions, at } = command;
  return [{ type: 'RoleCreated', data: { revoltId: state.revoltId, roleId, name, color, permissions, position, isManaged: false, createdAt: at } }];
}

export function updateRole(command: RevoltCommandOf<'UpdateRole'>, state: RevoltState): RevoltEvent[] {
  const actor = requireRevoltPermission(state, command.actorId, 'MANAGE_ROLES');
  const role = existingRole(state, command.roleId);
  const { changes } = command;
  if (role.id === state.everyoneRoleId) {
    if (changes.name !== undefined || changes.position !== undefined) {
      throw ruleBroken('everyone_role_fixed', '@everyone keeps its name and position; only its permissions and color change');
    }
  } else {
    assertRoleBelow(actor, role.position);
    if (changes.position !== undefined) {
      if (changes.position < 1) throw ruleBroken('invalid_position', 'position 0 belongs to @everyone');
      assertRoleBelow(actor, changes.position, 'that position');
    }
  }
  if (changes.permissions) assertGrantable(actor, changes.permissions);
  const effective = Object.fromEntries(
    Object.entries(changes).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(role[key as keyof typeof role])),
  );
  if (Object.keys(effective).length === 0) return [];
  return [{ type: 'RoleUpdated', data: { revoltId: state.revoltId, roleId: role.id, changes: effective, at: command.at } }];
}

export function deleteRole(command: RevoltCommandOf<'DeleteRole'>, state: RevoltState): RevoltEvent[] {
  const actor = requireRevoltPermission(state, command.actorId, 'MANAGE_ROLES');
  const role = state.roles.get(command.roleId);
  if (!role) return [];
  if (role.isManaged) throw ruleBroken('managed_role', 'this role is managed by the system and cannot be deleted');
  assertRoleBelow(actor, role.position);
  return [{ type: 'RoleDeleted', data: { revoltId: state.revoltId, roleId: role.id, at: command.at } }];
}

export function grantOrRevokeRole(command: RevoltCommandOf<'GrantRole' | 'RevokeRole'>, state: RevoltState): RevoltEvent[] {
  const actor = requireRevoltPermission(state, command.actorId, 'MANAGE_ROLES');
  const role = existingRole(state, command.roleId);
  if (role.id === state.everyoneRoleId) throw ruleBroken('everyone_role_implicit', 'every member has @everyone');
  const member = state.members.get(command.userId);
  if (!member) throw notFound('member');
  assertRoleBelow(actor, role.position);
  // Granting a role hands out its permissions; revoking takes them away: either only by one who holds them all.
  assertGrantable(actor, role.permissions);
  if (command.userId !== command.actorId) assertOutranks(state, actor, command.userId);
  const has = member.roles.includes(role.id);
  const data = { revoltId: state.revoltId, userId: command.userId, roleId: role.id, by: command.actorId, at: command.at };
  if (command.type === 'GrantRole') return has ? [] : [{ type: 'MemberRoleGranted', data }];
  return has ? [{ type: 'MemberRoleRevoked', data }] : [];
}

function existingRole(state: RevoltState, roleId: string): RoleState {
  const role = state.roles.get(roleId);
  if (!role) throw notFound('role');
  return role;
}

function maxPosition(state: RevoltState): number {
  return Math.max(0, ...[...state.roles.values()].map((r) => r.position));
}
