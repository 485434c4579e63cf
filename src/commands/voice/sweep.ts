import type { RevoltState } from '../revolts/state.ts';
import { isMediaChannel } from './rules.ts';
import { loadChannel, loadRevolt, loadUser, now, onChannel, release, type Steps } from './steps.ts';

/**
 * Removing from voice whoever a revolt change left without access (kicked, banned, left, a channel deleted,
 * CONNECT taken away, the revolt deleted). The voice-access reactor answers the revolt's events with these; a
 * participant refused with `voice_access_lost` is swept at once too. Each sweep removes whoever lacks access
 * when it runs, so running it again, or late, is right as well.
 */

/** Events after which one member may have lost access: gone from the revolt, or a role (e.g. one denying CONNECT) granted. */
const MEMBER_EVENTS = ['MemberLeft', 'MemberKicked', 'MemberBanned', 'MemberRoleGranted'] as const;
/** Events after which anyone in one channel may have. */
const CHANNEL_EVENTS = ['ChannelDeleted', 'ChannelUpdated', 'ChannelPermissionsSet', 'ChannelPermissionsRemoved'] as const;
/** Events after which anyone in the revolt may have. */
const REVOLT_EVENTS = ['RoleUpdated', 'RoleDeleted', 'MemberRoleRevoked', 'RevoltDeleted', 'OwnershipTransferred'] as const;

export const ACCESS_EVENTS = [...MEMBER_EVENTS, ...CHANNEL_EVENTS, ...REVOLT_EVENTS] as const;
export type AccessEvent = { type: (typeof ACCESS_EVENTS)[number]; data: { revoltId?: string; channelId?: string; userId?: string } };

const isOneOf = <T extends string>(types: readonly T[], type: string): type is T => (types as readonly string[]).includes(type);

/**
 * Removes, with reason `removed`, the participants of a channel who may no longer be there, and releases their
 * claims. The sweep is issued even when no one is left, so that given again (a reactor resumed after a crash
 * between the sweep and the releases) it finds its first append and the releases follow from that.
 */
export async function sweepChannel(steps: Steps, channelId: string, loaded?: RevoltState): Promise<string[]> {
  const state = await loadChannel(steps, channelId);
  if (!state.revoltId) return []; // never had a session
  const revolt = loaded?.revoltId === state.revoltId ? loaded : await loadRevolt(steps, state.revoltId);
  const swept = await onChannel(steps, { type: 'SweepVoice', channelId, revolt, at: now() });
  const removed = swept.events.filter((e) => e.type === 'VoiceParticipantLeft').map((e) => (e.data as { userId: string }).userId);
  for (const userId of removed) await release(steps, userId, channelId);
  return removed;
}

/** The channel the user's claim names is swept (their claim is released only once they are out of it). */
export async function sweepUser(steps: Steps, userId: string): Promise<string[]> {
  const { channelId } = await loadUser(steps, userId);
  return channelId ? sweepChannel(steps, channelId) : [];
}

export async function sweepRevolt(steps: Steps, revoltId: string): Promise<string[]> {
  const revolt = await loadRevolt(steps, revoltId);
  const removed: string[] = [];
  for (const channel of revolt.channels.values()) {
    if (isMediaChannel(channel)) removed.push(...(await sweepChannel(steps, channel.channelId, revolt)));
  }
  return removed;
}

/** The sweep a revolt event calls for; returns who was removed. */
export function sweepAfter(steps: Steps, event: AccessEvent): Promise<string[]> {
  const { userId, channelId, revoltId } = event.data;
  if (isOneOf(MEMBER_EVENTS, event.type) && userId) return sweepUser(steps, userId);
  if (isOneOf(CHANNEL_EVENTS, event.type) && channelId) return sweepChannel(steps, channelId);
  if (isOneOf(REVOLT_EVENTS, event.type) && revoltId) return sweepRevolt(steps, revoltId);
  return Promise.resolve([]);
}
