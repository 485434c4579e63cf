import { z } from 'zod';
import { idSchema, isoDate } from '../../events/ids.ts';
import { permissionSchema } from '../permissions/catalogue.ts';
import { presenceSchema } from '../users/events.ts';
import { filterKeywordsSchema } from './keyword-filter.ts';
import type { EventsOf } from '../../events/catalogue.ts';

export const revoltSettingsSchema = z.object({
  isPublic: z.boolean(),
  verificationLevel: z.number().int().min(0).max(4),
  defaultChannelId: idSchema.optional(),
  systemChannelId: idSchema.optional(),
  rulesChannelId: idSchema.optional(),
  maxMembers: z.number().int().min(1).max(1_000_000),
  allowInvites: z.boolean(),
  slowMode: z
    .number()
    .int()
    .min(0)
    .max(21600)
    .describe('seconds: the slow mode text channels created afterwards start with, unless their creation sets their own (channels that exist keep theirs)'),
  /** Who the keyword filter applies to: 0 no one, 1 members without roles (the owner aside), 2 everyone. */
  contentFilter: z.number().int().min(0).max(2),
  /** The words and phrases the content filter refuses in messages (see keyword-filter.ts); absent means none. */
  contentFilterKeywords: filterKeywordsSchema.optional(),
  region: z.string().min(1).max(32),
  premiumTier: z.number().int().min(0).max(3),
  /**
   * Whether the revolt accepts donations. Turning them on is the course's feature `enable_donations`; a new revolt
   * starts with them on when its owner has that feature. Absent (revolts created before the setting): on.
   */
  donationsEnabled: z.boolean().optional(),
});
export type RevoltSettings = z.infer<typeof revoltSettingsSchema>;

export const channelTypeSchema = z.enum(['text', 'voice', 'video', 'category']);

export const channelSettingsSchema = z.object({
  isNsfw: z.boolean(),
  slowMode: z.number().int().min(0).max(21600),
  maxMembers: z.number().int().min(1).max(99).optional(),
  bitrate: z.number().int().min(8000).max(384000).optional(),
  region: z.string().max(32).optional(),
  videoQuality: z.enum(['auto', '720p', '1080p']).optional(),
  isPrivate: z.boolean(),
  archived: z.boolean(),
  archivedAt: isoDate.optional(),
});
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;

export const roleSchema = z.object({
  roleId: z.string().min(1),
  name: z.string().min(1).max(100),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  permissions: z.array(permissionSchema),
  position: z.number().int().min(0),
  isManaged: z.boolean(),
  createdAt: isoDate,
});

export const revoltEventSchemas = {
  RevoltCreated: z.object({
    revoltId: idSchema,
    ownerId: idSchema,
    name: z.string(),
    description: z.string(),
    icon: z.string().optional(),
    banner: z.string().optional(),
    settings: revoltSettingsSchema,
    inviteCode: z.string(),
    createdAt: isoDate,
  }),
  RoleCreated: z.object({ revoltId: idSchema }).extend(roleSchema.shape),
  ChannelCreated: z.object({
    revoltId: idSchema,
    channelId: idSchema,
    name: z.string(),
    type: channelTypeSchema,
    description: z.string().optional(),
    position: z.number().int().min(0),
    categoryId: idSchema.optional(),
    settings: channelSettingsSchema,
    createdAt: isoDate,
  }),
  RevoltUpdated: z.object({
    revoltId: idSchema,
    changes: z.object({
      name: z.string().optional(),
      description: z.string().optional(),
      icon: z.string().nullable().optional(),
      banner: z.string().nullable().optional(),
      settings: revoltSettingsSchema.partial().optional(),
    }),
    updatedAt: isoDate,
  }),
  RevoltDeleted: z.object({ revoltId: idSchema, deletedBy: idSchema, deletedAt: isoDate }),
  InviteCodeSet: z.object({ revoltId: idSchema, inviteCode: z.string(), previousCode: z.string().optional() }),
  MemberLeft: z.object({ revoltId: idSchema, userId: idSchema, at: isoDate }),
  MemberKicked: z.object({ revoltId: idSchema, userId: idSchema, by: idSchema, reason: z.string().optional(), at: isoDate }),
  MemberBanned: z.object({
    revoltId: idSchema,
    userId: idSchema,
    by: idSchema,
    reason: z.string().optional(),
    /** Whether the banned user was a member (and so also left the revolt). */
    wasMember: z.boolean(),
    at: isoDate,
  }),
  MemberUnbanned: z.object({ revoltId: idSchema, userId: idSchema, by: idSchema, at: isoDate }),
  OwnershipTransferred: z.object({ revoltId: idSchema, from: idSchema, to: idSchema, at: isoDate }),
  RoleUpdated: z.object({
    revoltId: idSchema,
    roleId: z.string(),
    changes: roleSchema.pick({ name: true, color: true, permissions: true, position: true }).partial(),
    at: isoDate,
  }),
  RoleDeleted: z.object({ revoltId: idSchema, roleId: z.string(), at: isoDate }),
  MemberRoleGranted: z.object({ revoltId: idSchema, userId: idSchema, roleId: z.string(), by: idSchema, at: isoDate }),
  MemberRoleRevoked: z.object({ revoltId: idSchema, userId: idSchema, roleId: z.string(), by: idSchema, at: isoDate }),
  ChannelUpdated: z.object({
    revoltId: idSchema,
    channelId: idSchema,
    changes: z.object({
      name: z.string().optional(),
      description: z.string().optional(),
      position: z.number().int().min(0).optional(),
      /** null moves the channel out of its category. */
      categoryId: idSchema.nullable().optional(),
      settings: channelSettingsSchema.partial().optional(),
    }),
    at: isoDate,
  }),
  ChannelDeleted: z.object({ revoltId: idSchema, channelId: idSchema, at: isoDate }),
  ChannelPermissionsSet: z.object({
    revoltId: idSchema,
    channelId: idSchema,
    overwrite: z.object({
      type: z.enum(['role', 'member']),
      id: z.string(),
      allow: z.array(permissionSchema),
      deny: z.array(permissionSchema),
    }),
    at: isoDate,
  }),
  ChannelPermissionsRemoved: z.object({ revoltId: idSchema, channelId: idSchema, targetId: z.string(), at: isoDate }),
  MemberJoined: z.object({
    revoltId: idSchema,
    revoltName: z.string(),
    userId: idSchema,
    username: z.string(),
    isOwner: z.boolean(),
    /** The revolt's owner when someone else joined (whose revolt grew); absent on the owner's own join and in joins recorded before it was carried. */
    ownerId: idSchema.optional(),
    inviteCode: z.string().optional(),
    /** The personal invite the joiner accepted, when they joined through one (then there is no inviteCode). */
    personalInviteId: idSchema.optional(),
    /** The joiner's presence as others saw it at the time, so members[].isOnline is right from the start. */
    presence: presenceSchema.optional(),
    joinedAt: isoDate,
  }),
} as const;


type Schemas = typeof revoltEventSchemas;
export type RevoltEvent = EventsOf<Schemas>;
export type RevoltEventOf<K extends RevoltEvent['type']> = Extract<RevoltEvent, { type: K }>;
