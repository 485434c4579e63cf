import type { Permission } from '../permissions/catalogue.ts';
import type { FeatureAccess } from '../progress/features.ts';
import type { Presence } from '../users/events.ts';
import type { ChannelSettings, RevoltSettings } from './events.ts';

export interface Actor {
  userId: string;
  username: string;
  /** What others see of them now (online, away, busy, offline), recorded when they join a revolt. */
  presence?: Presence;
}

type ChannelType = 'text' | 'voice' | 'video' | 'category';

/**
 * What lets a joiner in: the revolt's invite code, or a personal invite from a member (its invitee, target and
 * expiry are checked on the invitee's stream by src/commands/personal-invites before the join is asked).
 */
export type Admission = { inviteCode: string } | { personalInvite: { inviteId: string; inviterId: string } };

/** Every command on a revolt; `actorId` is who issues it, `at` when. */
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
      /**
       * The owner's standing in the course: creating a revolt is the feature `create_revolt`; donations start on
       * when the owner has `enable_donations` (asking for them on without it is refused).
       */
      features: FeatureAccess;
      at: string;
    }
  | ({ type: 'JoinRevolt'; user: Actor; at: string } & Admission)
  | {
      type: 'UpdateRevolt';
      actorId: string;
      changes: { name?: string; description?: string; icon?: string | null; banner?: string | null; settings?: Partial<RevoltSettings> };
      /** The actor's standing in the course: turning donations on is the feature `enable_donations`. */
      features: FeatureAccess;
      at: string;
    }
  | { type: 'DeleteRevolt'; actorId: string; at: string }
  /** `features`: the actor's standing in the course; making an invite is the feature `create_invites`. */
  | { type: 'RegenerateInvite'; actorId: string; inviteCode: string; features: FeatureAccess }
  | { type: 'LeaveRevolt'; actorId: string; at: string }
  | { type: 'KickMember'; actorId: string; userId: string; reason?: string; at: string }
  | { type: 'BanMember'; actorId: string; userId: string; reason?: string; at: string }
  | { type: 'UnbanMember'; actorId: string; userId: string; at: string }
  | { type: 'TransferOwnership'; actorId: string; userId: string; at: string }
  | {
      type: 'CreateRole';
      actorId: string;
      roleId: string;
      name: string;
      color: string;
      permissions: Permission[];
      position?: number;
      at: string;
    }
  | {
      type: 'UpdateRole';
      actorId: string;
      roleId: string;
      changes: { name?: string; color?: string; permissions?: Permission[]; position?: number };
      at: string;
    }
  | { type: 'DeleteRole'; actorId: string; roleId: string; at: string }
  | { type: 'GrantRole'; actorId: string; userId: string; roleId: string; at: string }
  | { type: 'RevokeRole'; actorId: string; userId: string; roleId: string; at: string }
  | {
      type: 'CreateChannel';
      actorId: string;
      channelId: string;
      name: string;
      channelType: ChannelType;
      description?: string;
      position?: number;
      categoryId?: string;
      settings: Partial<ChannelSettings>;
      at: string;
    }
  | {
      type: 'UpdateChannel';
      actorId: string;
      channelId: string;
      changes: { name?: string; description?: string; position?: number; categoryId?: string | null; settings?: Partial<ChannelSettings> };
      at: string;
    }
  | { type: 'DeleteChannel'; actorId: string; channelId: string; at: string }
  | {
      type: 'SetChannelPermissions';
      actorId: string;
      channelId: string;
      targetType: 'role' | 'member';
      targetId: string;
      allow: Permission[];
      deny: Permission[];
      at: string;
    }
  | { type: 'RemoveChannelPermissions'; actorId: string; channelId: string; targetId: string; at: string };

export type RevoltCommandOf<T extends RevoltCommand['type']> = Extract<RevoltCommand, { type: T }>;
