import { notFound, ruleBroken } from '../../errors.ts';
import { requireChannel, requireRevoltPermission } from '../../permissions/access.ts';
import { assertGrantable } from '../../permissions/hierarchy.ts';
import type { RevoltCommandOf } from '../commands.ts';
import type { ChannelSettings, RevoltEvent } from '../events.ts';
import { MAX_CHANNELS, MAX_OVERWRITES } from '../rules.ts';
import type { ChannelState, RevoltState } from '../state.ts';

const DEFAULT_VOICE = { bitrate: 64_000, region: 'auto' } as const;

/** A new channel's settings before the request's own: a text channel takes the revolt's slow mode as its default. */
function defaultSettings(type: ChannelState['type'], revoltSlowMode: number): ChannelSettings {
  const base = { isNsfw: false, slowMode: type === 'text' ? revoltSlowMode : 0, isPrivate: false, archived: false };
  if (type === 'voice') return { ...base, ...DEFAULT_VOICE };
  if (type === 'video') return { ...base, ...DEFAULT_VOICE, videoQuality: 'auto' };
  return base;
}

/** A category may only hold non-category channels of the same revolt. */
function assertCategory(state: RevoltState, categoryId: string | null | undefined, type: ChannelState['type']): void {
  if (categoryId === undefined || categoryId === null) return;
  if (type === 'category') throw ruleBroken('nested_category', 'a category cannot be inside another category');
  if (state.channels.get(categoryId)?.type !== 'category') throw ruleBroken('not_a_category', 'categoryId must name a category of this revolt');
}

/** Voice settings only make sense on voice and video channels; slow mode and NSFW only on text. */
function assertSettingsFit(type: ChannelState['type'], settings: Partial<ChannelSettings>): void {
  const media = type === 'voice' || type === 'video';
  if (!media && (settings.bitrate !== undefined || settings.maxMembers !== undefined || settings.videoQuality !== undefined)) {
    throw ruleBroken('settings_not_applicable', 'bitrate, maxMembers and videoQuality apply to voice and video channels');
  }
  if (type !== 'video' && settings.videoQuality !== undefined) {
    throw ruleBroken('settings_not_applicable', 'videoQuality applies to video channels');
  }
}

function archiveChanges(settings: Partial<ChannelSettings>, current: ChannelSettings | undefined, at: string): Partial<ChannelSettings> {
  if (settings.archived === true && !current?.archived) return { ...settings, archivedAt: at };
  return settings;
}

export function createChannel(command: RevoltCommandOf<'CreateChannel'>, state: RevoltState): RevoltEvent[] {
  requireRevoltPermission(state, command.actorId, 'MANAGE_CHANNELS');
  if (state.channels.has(command.channelId)) return [];
  if (state.channels.size >= MAX_CHANNELS) throw ruleBroken('too_many_channels', `a revolt has at most ${MAX_CHANNELS} channels`);
  assertCategory(state, command.categoryId, command.channelType);
  assertSettingsFit(command.channelType, command.settings);
  const position = command.position ?? 1 + Math.max(-1, ...[...state.channels.values()].map((c) => c.position));
  const settings = { ...defaultSettings(command.channelType, state.settings.slowMode), ...archiveChanges(command.settings, undefined, command.at) };
  const { channelId, name, description, categoryId, at } = command;
  return [
    {
      type: 'ChannelCreated',
      data: {
        revoltId: state.revoltId,
        channelId,
        name,
        type: command.channelType,
        ...(description !== undefined && { description }),
        position,
        ...(categoryId !== undefined && { categoryId }),
        settings,
        createdAt: at,
      },
    },
  ];
}

export function updateChannel(command: RevoltCommandOf<'UpdateChannel'>, state: RevoltState): RevoltEvent[] {
  const { channel } = requireChannel(state, command.actorId, command.channelId, ['MANAGE_CHANNELS']);
  const { settings, ...rest } = command.changes;
  assertCategory(state, rest.categoryId, channel.type);
  if (settings) assertSettingsFit(channel.type, settings);
  const changes = { ...rest, ...(settings && { settings: archiveChanges(settings, channel.settings, command.at) }) };
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'ChannelUpdated', data: { revoltId: state.revoltId, channelId: channel.channelId, changes, at: command.at } }];
}

export function deleteChannel(command: RevoltCommandOf<'DeleteChannel'>, state: RevoltState): RevoltEvent[] {
  const { channel } = requireChannel(state, command.actorId, command.channelId, ['MANAGE_CHANNELS']);
  if (state.settings.defaultChannelId === channel.channelId) {
    throw ruleBroken('default_channel', 'choose another default channel before deleting this one');
  }
  return [{ type: 'ChannelDeleted', data: { revoltId: state.revoltId, channelId: channel.channelId, at: command.at } }];
}

export function setChannelPermissions(command: RevoltCommandOf<'SetChannelPermissions'>, state: RevoltState): RevoltEvent[] {
  const { channel, subject: actor } = requireChannel(state, command.actorId, command.channelId, ['MANAGE_ROLES']);
  if (command.targetType === 'role' ? !state.roles.has(command.targetId) : !state.members.has(command.targetId)) {
    throw notFound(command.targetType);
  }
  const overlap = command.allow.filter((p) => command.deny.includes(p));
  if (overlap.length > 0) throw ruleBroken('allow_deny_overlap', 'a permission cannot be both allowed and denied', { overlap });
  assertGrantable(actor, [...command.allow, ...command.deny]);
  const existing = channel.overwrites.find((o) => o.id === command.targetId);
  if (!existing && channel.overwrites.length >= MAX_OVERWRITES) {
    throw ruleBroken('too_many_overwrites', `a channel has at most ${MAX_OVERWRITES} permission overwrites`);
  }
  const overwrite = { type: command.targetType, id: command.targetId, allow: [...new Set(command.allow)], deny: [...new Set(command.deny)] };
  if (existing && JSON.stringify(existing) === JSON.stringify(overwrite)) return [];
  return [{ type: 'ChannelPermissionsSet', data: { revoltId: state.revoltId, channelId: channel.channelId, overwrite, at: command.at } }];
}

export function removeChannelPermissions(command: RevoltCommandOf<'RemoveChannelPermissions'>, state: RevoltState): RevoltEvent[] {
  const { channel } = requireChannel(state, command.actorId, command.channelId, ['MANAGE_ROLES']);
  if (!channel.overwrites.some((o) => o.id === command.targetId)) return [];
  return [{ type: 'ChannelPermissionsRemoved', data: { revoltId: state.revoltId, channelId: channel.channelId, targetId: command.targetId, at: command.at } }];
}
