import type { Decider } from '../decider.ts';
import { conflict, forbidden, notFound, ruleBroken } from '../errors.ts';
import { DEFAULT_EVERYONE_PERMISSIONS } from '../permissions/catalogue.ts';
import type { RevoltEvent, RevoltSettings } from './events.ts';
import { evolveRevolt, initialRevoltState, type RevoltState } from './state.ts';

export interface Actor {
  userId: string;
  username: string;
}

export type RevoltCommand =
  | {
      type: 'CreateRevolt';
      revoltId: string;
      everyoneRoleId: string;
      defaultChannelId: string;
      inviteCode: string;
      owner: Actor;
      name: string;
      description: string;
      icon?: string;
      banner?: string;
      settings: Partial<RevoltSettings>;
      at: string;
    }
  | { type: 'JoinRevolt'; user: Actor; inviteCode: string; at: string };

export const DEFAULT_REVOLT_SETTINGS: RevoltSettings = {
  isPublic: true,
  verificationLevel: 0,
  maxMembers: 100_000,
  allowInvites: true,
  slowMode: 0,
  contentFilter: 0,
  region: 'auto',
  premiumTier: 0,
};

function create(command: Extract<RevoltCommand, { type: 'CreateRevolt' }>, state: RevoltState): RevoltEvent[] {
  if (state.exists) throw conflict('already_exists', 'revolt already exists');
  const { revoltId, at } = command;
  const settings = { ...DEFAULT_REVOLT_SETTINGS, ...command.settings, defaultChannelId: command.defaultChannelId };
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
        joinedAt: at,
      },
    },
  ];
}

function join(command: Extract<RevoltCommand, { type: 'JoinRevolt' }>, state: RevoltState): RevoltEvent[] {
  if (!state.exists || state.inviteCode !== command.inviteCode) throw notFound('invite');
  if (state.members.has(command.user.userId)) return [];
  if (state.bans.has(command.user.userId)) throw forbidden('you are banned from this revolt');
  if (!state.settings.allowInvites) throw ruleBroken('invites_disabled', 'this revolt does not accept invites');
  if (state.members.size >= state.settings.maxMembers) {
    throw ruleBroken('revolt_full', `this revolt has reached its limit of ${state.settings.maxMembers} members`);
  }
  return [
    {
      type: 'MemberJoined',
      data: {
        revoltId: state.revoltId,
        revoltName: state.name,
        userId: command.user.userId,
        username: command.user.username,
        isOwner: false,
        inviteCode: command.inviteCode,
        joinedAt: command.at,
      },
    },
  ];
}

export const revoltDecider: Decider<RevoltCommand, RevoltState, RevoltEvent> = {
  initialState: initialRevoltState,
  evolve: evolveRevolt,
  decide(command, state) {
    switch (command.type) {
      case 'CreateRevolt':
        return create(command, state);
      case 'JoinRevolt':
        return join(command, state);
    }
  },
};

export const revoltStream = (revoltId: string) => `revolt-${revoltId}`;
