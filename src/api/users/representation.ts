import type { FastifyRequest } from 'fastify';
import { ObjectId, type Document } from 'mongodb';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { permissionSchema } from '../../commands/permissions/catalogue.ts';
import { profileSchema, userStatusSchema, userTypeSchema } from '../../commands/users/events.ts';
import { cachedRead } from '../../http/cached-reads.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { HIDDEN } from '../../projections/views.ts';
import { objectId, timestamp } from '../schemas/fields.ts';

const membershipSchema = z.object({
  revoltId: objectId,
  revoltName: z.string(),
  joinedAt: timestamp,
  roles: z.array(z.string()),
  permissions: z.array(permissionSchema),
  isOwner: z.boolean(),
  lastSeen: timestamp,
  messageCount: z.number().int(),
  voiceTime: z.number().describe('minutes'),
});

const achievementSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  icon: z.string(),
  category: z.string(),
  requirements: z.array(z.looseObject({ type: z.string(), value: z.number(), description: z.string() })),
  unlockedAt: timestamp,
  rarity: z.string(),
});

const ONLY_ONESELF = 'only in one’s own profile';

/**
 * A user as every route shows them: the whole document to themself (GET /users/@me, and what their own commands
 * answer), without its private fields to others. Open to fields the progression modules add.
 */
export const userSchema = z
  .looseObject({
    id: z.string(),
    username: z.string(),
    discriminator: z.string(),
    email: z.string().optional().describe(ONLY_ONESELF),
    ...profileSchema.omit({ userType: true }).shape,
    status: z.union([userStatusSchema, z.literal('offline')]).describe('an invisible user is `offline` to others'),
    userType: userTypeSchema,
    joinedAt: timestamp,
    isVerified: z.boolean(),
    letterProgress: z
      .looseObject({
        completedLetters: z.array(z.number().int()),
        currentLetter: z.number().int(),
        totalLetters: z.number().int(),
        completedAt: timestamp.optional(),
        assignments: z.array(z.looseObject({})),
        lastAccessed: timestamp,
      })
      .optional()
      .describe(ONLY_ONESELF),
    achievements: z.array(achievementSchema),
    stats: z.looseObject({
      revoltsJoined: z.number().int(),
      revoltsCreated: z.number().int(),
      messagesSent: z.number().int(),
      totalDonated: z.number().int().optional().describe(`in minor units; ${ONLY_ONESELF}`),
      totalRaised: z.number().int(),
      voiceTime: z.number().describe('minutes'),
      screenShareTime: z.number().describe('minutes'),
      followers: z.number().int(),
      following: z.number().int(),
      reputation: z.number(),
      lastActive: timestamp,
    }),
    revoltMemberships: z.array(membershipSchema).optional().describe(ONLY_ONESELF),
    voiceState: z
      .looseObject({ revoltId: objectId, channelId: objectId, sessionId: z.string(), joinedAt: timestamp })
      .optional()
      .describe(`where the user is in voice; ${ONLY_ONESELF}`),
    lastSeen: timestamp,
  })
  .meta({ id: 'User' });
export type User = z.input<typeof userSchema>;

/** Fields only the user themself may see (stats.totalDonated would reveal their anonymous donations). */
const PRIVATE_FIELDS = { email: 0, letterProgress: 0, revoltMemberships: 0, voiceState: 0, 'stats.totalDonated': 0 } as const;

const PUBLIC_PROJECTION = { ...HIDDEN, ...PRIVATE_FIELDS };

const users = (services: Services) => services.db.collection('users');

/** The caller's own profile, whole (GET /users/@me, and what their commands on it answer). */
export async function selfOf(services: Services, request: FastifyRequest, userId: string): Promise<User> {
  const user = await cachedRead(services, request, 'users', `self:${userId}`, () =>
    users(services).findOne<User>({ _id: new ObjectId(userId) }, { projection: HIDDEN }),
  );
  if (!user) throw notFound('user');
  return user;
}

/** A user without their private fields, found by id (through the document cache) or by tag. */
async function publicProfile(services: Services, request: FastifyRequest, filter: { id: string } | { username: string; discriminator: string }) {
  if ('id' in filter) {
    return cachedRead(services, request, 'users', `public:${filter.id}`, () =>
      users(services).findOne({ _id: new ObjectId(filter.id) }, { projection: PUBLIC_PROJECTION }),
    );
  }
  await awaitReadModels(services, request, ['users']);
  return users(services).findOne(filter, { projection: PUBLIC_PROJECTION });
}

/** Others see an invisible user as offline. */
function publicView(user: Document): User {
  return (user.status === 'invisible' ? { ...user, status: 'offline' } : user) as User;
}

/** A user as `viewerId` sees them, found by `filter` (an id, or a username and discriminator); 404 if none. */
export async function userShownTo(
  services: Services,
  request: FastifyRequest,
  filter: { id: string } | { username: string; discriminator: string },
  viewerId: string,
): Promise<User> {
  if ('id' in filter && filter.id === viewerId) return selfOf(services, request, viewerId);
  const user = await publicProfile(services, request, filter);
  if (!user) throw notFound('user');
  return user.id === viewerId ? selfOf(services, request, viewerId) : publicView(user);
}
