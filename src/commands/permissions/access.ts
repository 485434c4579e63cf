import { forbidden, notFound, type AppError } from '../errors.ts';
import { has, type Permission, type PermissionBits } from './catalogue.ts';
import { basePermissions, channelPermissions, type PermissionChannel, type PermissionSubject } from './resolve.ts';
import { subjectOf, type PermissionRevolt } from './subject.ts';

/**
 * The one rule of access, for every decide, every query and the gateway:
 * - what a user may not see does not exist for them: 404 (a revolt deleted, unknown or private to them; a channel
 *   unknown or one they cannot view);
 * - what they see but lack permissions for: 403, `details.missing` naming every permission they lack (an array,
 *   revolt-wide and in a channel alike).
 * A non-member of a public revolt sees it but holds no permission in it, and sees none of its channels from inside.
 */

export type Scope = 'revolt' | 'channel';

export type Denial =
  | { allowed: false; status: 404; what: Scope | 'member' }
  | { allowed: false; status: 403; scope: Scope; missing: Permission[] };

export interface Grant {
  allowed: true;
  subject: PermissionSubject;
  /** What the subject holds where they act: revolt-wide, or in the channel. */
  bits: PermissionBits;
}

export interface ChannelGrant<C> extends Grant {
  channel: C;
}

export type Access<G extends Grant> = G | Denial;

const notVisible = (what: Scope | 'member'): Denial => ({ allowed: false, status: 404, what });

/** The permissions of `needed` that `bits` lacks, in the order asked. */
export function missingFrom(bits: PermissionBits, needed: readonly Permission[]): Permission[] {
  return needed.filter((p) => !has(bits, p));
}

function holding<G extends Grant>(grant: G, scope: Scope, needed: readonly Permission[]): Access<G> {
  const missing = missingFrom(grant.bits, needed);
  return missing.length > 0 ? { allowed: false, status: 403, scope, missing } : grant;
}

/** Revolt-wide, for a given subject (undefined: not a member of a revolt they can see). */
export function revoltAccessOf(subject: PermissionSubject | undefined, needed: readonly Permission[] = []): Access<Grant> {
  if (!subject) return needed.length > 0 ? { allowed: false, status: 403, scope: 'revolt', missing: [...needed] } : notVisible('member');
  return holding({ allowed: true, subject, bits: basePermissions(subject) }, 'revolt', needed);
}

/** In a channel, for a given subject (undefined: not a member) and channel (undefined: none such). */
export function channelAccessOf<C extends PermissionChannel>(
  subject: PermissionSubject | undefined,
  channel: C | undefined,
  needed: readonly Permission[] = [],
): Access<ChannelGrant<C>> {
  if (!subject || !channel) return notVisible('channel');
  const bits = channelPermissions(subject, channel);
  if (!has(bits, 'VIEW_CHANNEL')) return notVisible('channel');
  return holding({ allowed: true, subject, bits, channel }, 'channel', needed);
}

/** A revolt that exists and is not deleted; any other exists for no one. */
export const isLive = (revolt: Pick<PermissionRevolt, 'exists' | 'deleted'>): boolean => revolt.exists && !revolt.deleted;

/** Whether `userId` may see the revolt at all: it is live, and public or they are a member. */
export function revoltVisibleTo(revolt: PermissionRevolt, userId: string): boolean {
  return isLive(revolt) && (revolt.settings.isPublic || revolt.members.has(userId));
}

/** `userId` acting revolt-wide with `needed`. */
export function revoltAccess(revolt: PermissionRevolt, userId: string, needed: readonly Permission[] = []): Access<Grant> {
  return revoltVisibleTo(revolt, userId) ? revoltAccessOf(subjectOf(revolt, userId), needed) : notVisible('revolt');
}

/** `userId` acting in one channel with `needed`. */
export function channelAccess<C extends PermissionChannel>(
  revolt: PermissionRevolt<C>,
  userId: string,
  channelId: string,
  needed: readonly Permission[] = [],
): Access<ChannelGrant<C>> {
  return isLive(revolt) ? channelAccessOf(subjectOf(revolt, userId), revolt.channels.get(channelId), needed) : notVisible('revolt');
}

/** The AppError a denial is answered with (`action` names what was refused in a 403's message). */
export function denialError(denial: Denial, action?: string): AppError {
  if (denial.status === 404) return notFound(denial.what);
  const who = action ? `${action} needs` : 'you need';
  return forbidden(`${who} ${denial.missing.join(', ')} in this ${denial.scope}`, { missing: denial.missing });
}

/** The grant, or throws its denial. */
export function granted<G extends Grant>(access: Access<G>, action?: string): G {
  if (access.allowed) return access;
  throw denialError(access, action);
}

// The rule as deciders use it: each returns what was granted or throws the denial.

export function liveRevolt<R extends PermissionRevolt>(revolt: R): R {
  if (!isLive(revolt)) throw notFound('revolt');
  return revolt;
}

export function visibleRevolt<R extends PermissionRevolt>(revolt: R, userId: string): R {
  if (!revoltVisibleTo(revolt, userId)) throw notFound('revolt');
  return revolt;
}

/** The acting member of a revolt they can see (404 to a non-member: nothing of theirs there to act on). */
export function memberSubject(revolt: PermissionRevolt, userId: string): PermissionSubject {
  return granted(revoltAccess(revolt, userId)).subject;
}

export function requireRevoltPermission(revolt: PermissionRevolt, userId: string, permission: Permission): PermissionSubject {
  return granted(revoltAccess(revolt, userId, [permission])).subject;
}

/** What only the owner may do: 403 to anyone else who can see the revolt. */
export function requireOwner(revolt: PermissionRevolt, userId: string, action: string): void {
  if (visibleRevolt(revolt, userId).ownerId !== userId) throw forbidden(`only the owner can ${action}`);
}

/** A channel `userId` can view, holding every one of `needed` there. */
export function requireChannel<C extends PermissionChannel>(
  revolt: PermissionRevolt<C>,
  userId: string,
  channelId: string,
  needed: readonly Permission[] = [],
): ChannelGrant<C> {
  return granted(channelAccess(revolt, userId, channelId, needed));
}

/** A further check on bits granted in a channel, where what is needed depends on the command (whose author, which flags). */
export function requireHeld(bits: PermissionBits, needed: readonly Permission[], action?: string): void {
  const missing = missingFrom(bits, needed);
  if (missing.length > 0) throw denialError({ allowed: false, status: 403, scope: 'channel', missing }, action);
}
