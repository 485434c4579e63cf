import type { VoiceUserCommand } from '../commands.ts';
import type { VoiceUserEvent } from '../events.ts';
import type { VoiceUserState } from '../state.ts';

type Of<T extends VoiceUserCommand['type']> = Extract<VoiceUserCommand, { type: T }>;

/**
 * The user is in `channelId` now, by the stay that began at `joinedAt`: the event names the stay it replaces, for
 * that one to end next. A claim for a stay that began no later than the one claimed changes nothing (it is that
 * one again, or it comes late: a reactor completing a join the user has moved on from).
 */
export function claim(command: Of<'ClaimVoiceChannel'>, state: VoiceUserState): VoiceUserEvent[] {
  const { userId, revoltId, channelId, joinedAt, movedBy, at } = command;
  if (joinedAt !== undefined && state.joinedAt !== null && joinedAt <= state.joinedAt) return []; // that stay, or one before it
  const sameChannel = state.channelId === channelId;
  if (sameChannel && joinedAt === undefined) return [];
  const previous = state.channelId && !sameChannel ? { previousChannelId: state.channelId, ...(state.joinedAt && { previousJoinedAt: state.joinedAt }) } : {};
  return [{ type: 'VoiceChannelClaimed', data: { userId, revoltId, channelId, ...(joinedAt && { joinedAt }), ...previous, ...(movedBy && { movedBy }), at } }];
}

/** Releases the claim on `channelId` (a claim on another channel is left alone). */
export function release(command: Of<'ReleaseVoiceChannel'>, state: VoiceUserState): VoiceUserEvent[] {
  if (state.channelId !== command.channelId || !state.revoltId) return [];
  return [{ type: 'VoiceChannelReleased', data: { userId: command.userId, revoltId: state.revoltId, channelId: command.channelId, at: command.at } }];
}

/** A moderator's server mute/deafen, kept per revolt so that reconnecting does not lift it. */
export function setModeration(command: Of<'SetVoiceModeration'>, state: VoiceUserState): VoiceUserEvent[] {
  const current = state.moderation.get(command.revoltId) ?? { serverMute: false, serverDeaf: false };
  const next = { serverMute: command.serverMute ?? current.serverMute, serverDeaf: command.serverDeaf ?? current.serverDeaf };
  if (next.serverMute === current.serverMute && next.serverDeaf === current.serverDeaf) return [];
  return [{ type: 'VoiceModerationSet', data: { userId: command.userId, revoltId: command.revoltId, ...next, by: command.by, at: command.at } }];
}
