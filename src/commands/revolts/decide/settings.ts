import { forbidden, ruleBroken } from '../../errors.ts';
import { requireOwner, requireRevoltPermission } from '../../permissions/access.ts';
import { requireFeature } from '../../progress/features.ts';
import type { RevoltCommandOf } from '../commands.ts';
import type { RevoltEvent } from '../events.ts';
import { acceptsDonations } from '../rules.ts';
import type { RevoltState } from '../state.ts';

export function updateRevolt(command: RevoltCommandOf<'UpdateRevolt'>, state: RevoltState): RevoltEvent[] {
  requireRevoltPermission(state, command.actorId, 'MANAGE_REVOLT');
  const { settings, ...rest } = command.changes;
  if (settings?.donationsEnabled === true && !acceptsDonations(state.settings)) requireFeature(command.features, 'enable_donations');
  for (const key of ['defaultChannelId', 'systemChannelId', 'rulesChannelId'] as const) {
    const channelId = settings?.[key];
    if (channelId !== undefined && state.channels.get(channelId)?.type !== 'text') {
      throw ruleBroken('not_a_text_channel', `${key} must name a text channel of this revolt`);
    }
  }
  if (settings?.maxMembers !== undefined && settings.maxMembers < state.members.size) {
    throw ruleBroken('max_members_too_low', `the revolt already has ${state.members.size} members`);
  }
  if (settings?.premiumTier !== undefined && settings.premiumTier !== state.settings.premiumTier) {
    throw forbidden('the premium tier is set by billing, not by members');
  }
  const changes = { ...rest, ...(settings && Object.keys(settings).length > 0 && { settings }) };
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'RevoltUpdated', data: { revoltId: state.revoltId, changes, updatedAt: command.at } }];
}

export function deleteRevolt(command: RevoltCommandOf<'DeleteRevolt'>, state: RevoltState): RevoltEvent[] {
  requireOwner(state, command.actorId, 'delete the revolt');
  return [{ type: 'RevoltDeleted', data: { revoltId: state.revoltId, deletedBy: command.actorId, deletedAt: command.at } }];
}

export function regenerateInvite(command: RevoltCommandOf<'RegenerateInvite'>, state: RevoltState): RevoltEvent[] {
  requireRevoltPermission(state, command.actorId, 'MANAGE_REVOLT');
  requireFeature(command.features, 'create_invites');
  return [{ type: 'InviteCodeSet', data: { revoltId: state.revoltId, inviteCode: command.inviteCode, previousCode: state.inviteCode } }];
}
