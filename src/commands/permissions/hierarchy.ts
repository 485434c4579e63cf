import { forbidden } from '../errors.ts';
import { missingFrom } from './access.ts';
import type { Permission } from './catalogue.ts';
import { basePermissions, type PermissionSubject } from './resolve.ts';
import { subjectOf, type PermissionRevolt } from './subject.ts';

/** Position of the member's highest role (the owner outranks everyone; @everyone is 0). */
export function highestRolePosition(subject: PermissionSubject): number {
  if (subject.member.userId === subject.ownerId) return Number.POSITIVE_INFINITY;
  let highest = 0;
  for (const roleId of subject.member.roles) highest = Math.max(highest, subject.roles.get(roleId)?.position ?? 0);
  return highest;
}

/** Nobody manages a role at or above their own highest role (the owner manages all). */
export function assertRoleBelow(actor: PermissionSubject, position: number, what = 'that role'): void {
  if (position >= highestRolePosition(actor)) throw forbidden(`${what} is at or above your highest role`);
}

/** Nobody acts on a member whose highest role is at or above theirs; nobody acts on the owner. */
export function assertOutranks(revolt: PermissionRevolt, actor: PermissionSubject, targetUserId: string): void {
  if (targetUserId === revolt.ownerId) throw forbidden('the owner cannot be the target of that');
  const target = subjectOf(revolt, targetUserId);
  if (target && highestRolePosition(target) >= highestRolePosition(actor)) {
    throw forbidden("that member's highest role is at or above yours");
  }
}

/** Nobody hands out or takes away (in a role, a role grant or an overwrite) permissions they don't hold themselves. */
export function assertGrantable(actor: PermissionSubject, permissions: readonly Permission[]): void {
  const missing = missingFrom(basePermissions(actor), permissions);
  if (missing.length > 0) throw forbidden('you cannot grant or take away permissions you do not have', { missing });
}
