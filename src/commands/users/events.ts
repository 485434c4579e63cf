import { z } from 'zod';
import { idSchema, isoDate } from '../../events/ids.ts';
import type { EventsOf } from '../../events/catalogue.ts';
import { nameSchema } from '../names.ts';

export const userStatusSchema = z.enum(['online', 'away', 'busy', 'invisible']);
export const userTypeSchema = z.enum(['creator', 'supporter']);
/** What others see: the chosen status while connected, `offline` when not connected or invisible. */
export const presenceSchema = z.enum(['online', 'away', 'busy', 'offline']);
export type Presence = z.infer<typeof presenceSchema>;

export const profileSchema = z.object({
  bio: z.string().max(190).optional(),
  avatar: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  customStatus: z.string().max(128).optional(),
  location: z.string().max(100).optional(),
  website: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  socialLinks: z
    .object({
      twitter: nameSchema({ what: 'a Twitter handle', min: 0, max: 100 }).optional(),
      instagram: nameSchema({ what: 'an Instagram handle', min: 0, max: 100 }).optional(),
      linkedin: nameSchema({ what: 'a LinkedIn handle', min: 0, max: 200 }).optional(),
    })
    .strict()
    .optional(),
  userType: userTypeSchema.optional(),
});
export type Profile = z.infer<typeof profileSchema>;

export const userEventSchemas = {
  UserRegistered: z.object({
    userId: idSchema,
    email: z.string(),
    username: z.string(),
    discriminator: z.string().regex(/^\d{4}$/),
    passwordHash: z.string(),
    userType: userTypeSchema,
    joinedAt: isoDate,
  }),
  UserProfileUpdated: z.object({ userId: idSchema, changes: profileSchema }),
  UserStatusChanged: z.object({ userId: idSchema, status: userStatusSchema }),
  /**
   * The user's connection to the realtime gateway or their visible presence changed (recorded by the gateway when
   * their first socket opens and after the last one closes, and by a status change while connected).
   */
  UserPresenceChanged: z.object({
    userId: idSchema,
    connected: z.boolean(),
    presence: presenceSchema,
    previousPresence: presenceSchema,
    at: isoDate,
  }),
  /**
   * A verification link was mailed for the user's address (at registration, and on each resend, which supersedes the
   * links before it). Only the token's id and its secret's hash are kept (see verification-token.ts).
   */
  EmailVerificationRequested: z.object({ userId: idSchema, tokenId: idSchema, tokenHash: z.string(), expiresAt: isoDate, requestedAt: isoDate }),
  /** The user followed their newest link in time: their email address is verified. */
  EmailVerified: z.object({ userId: idSchema, verifiedAt: isoDate }),
  SessionStarted: z.object({ sessionId: z.string(), userId: idSchema, tokenHash: z.string(), expiresAt: isoDate }),
  SessionRevoked: z.object({ sessionId: z.string(), userId: idSchema }),
} as const;

type Schemas = typeof userEventSchemas;
type EventOf<K extends keyof Schemas> = EventsOf<Schemas, K>;
export type UserEvent =
  | EventOf<'UserRegistered'>
  | EventOf<'UserProfileUpdated'>
  | EventOf<'UserStatusChanged'>
  | EventOf<'UserPresenceChanged'>
  | EventOf<'EmailVerificationRequested'>
  | EventOf<'EmailVerified'>;
export type UserEventOf<K extends UserEvent['type']> = Extract<UserEvent, { type: K }>;
export type SessionEvent = EventOf<'SessionStarted'> | EventOf<'SessionRevoked'>;
