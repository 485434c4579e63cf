import { conflict } from '../../errors.ts';
import { DEFAULT_EVERYONE_PERMISSIONS } from '../../permissions/catalogue.ts';
import { featureGate, requireFeature } from '../../progress/features.ts';
import type { RevoltCommandOf } from '../commands.ts';
import type { RevoltEvent } from '../events.ts';
import { DEFAULT_REVOLT_SETTINGS } from '../rules.ts';
import type { RevoltState } from '../state.ts';

export function create(command: RevoltCommandOf<'CreateRevolt'>, state: RevoltState): RevoltEvent[] {
  if (state.exists) throw conflict('already_exists', 'revolt already exists');
  requireFeature(command.features, 'create_revolt');
  if (command.settings.donationsEnabled === true) requireFeature(command.features, 'enable_donations');
  const { revoltId, at } = command;
  const donationsEnabled = command.settings.donationsEnabled ?? featureGate(command.features.course, command.features.completedLetters, 'enable_donations').ok;
  const settings = { ...DEFAULT_REVOLT_SETTINGS, ...command.settings, donationsEnabled, defaultChannelId: command.defaultChannelId };
  return [
    {
      type: 'RevoltCreated',
      data: {
        revoltId,
        ownerId: command.owner.userId,
        name: command.name,
        description: command.description,
        ...(command.icon !== undefined && { icon: command.icon }),
        ...(command.banner !== undefined && { banner: command.banner }),
        settings,
        inviteCode: command.inviteCode,
        createdAt: at,
      },
    },
    {
      type: 'RoleCreated',
      data: {
        revoltId,
        roleId: command.everyoneRoleId,
        name: '@everyone',
        color: '#99aab5',
        permissions: DEFAULT_EVERYONE_PERMISSIONS,
        position: 0,
        isManaged: true,
        createdAt: at,
      },
    },
    {
      type: 'ChannelCreated',
      data: {
        revoltId,
        channelId: command.defaultChannelId,
        name: 'general',
        type: 'text',
        position: 0,
        settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false },
        createdAt: at,
      },
    },
    {
      type: 'MemberJoined',
      data: {
        revoltId,
        revoltName: command.name,
        userId: command.owner.userId,
        username: command.owner.username,
        isOwner: true,
        ...(command.owner.presence && { presence: command.owner.presence }),
        joinedAt: at,
      },
    },
  ];
}
