import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('indexes');
});
afterAll(() => t?.close());

/** The seed's indexes (spec/database-schema.md) for the collections projected so far, as key specs. */
const SEED: Record<string, Array<[Record<string, number>, { unique?: boolean }?]>> = {
  users: [
    [{ email: 1 }, { unique: true }],
    [{ id: 1 }, { unique: true }],
    [{ username: 1, discriminator: 1 }, { unique: true }],
    [{ userType: 1 }],
    [{ joinedAt: -1 }],
    [{ status: 1 }],
    [{ lastSeen: -1 }],
    [{ status: 1, lastSeen: -1 }],
    [{ customStatus: 1 }],
  ],
  revolts: [
    [{ id: 1 }, { unique: true }],
    [{ owner: 1 }],
    [{ 'members.userId': 1 }],
    [{ 'settings.isPublic': 1 }],
    [{ createdAt: -1 }],
    [{ inviteCode: 1 }, { unique: true }],
    [{ 'stats.memberCount': -1 }],
    [{ 'settings.isPublic': 1, 'stats.memberCount': -1 }],
    [{ banner: 1 }],
  ],
  channels: [
    [{ id: 1 }, { unique: true }],
    [{ revoltId: 1, position: 1 }],
    [{ revoltId: 1, type: 1 }],
    [{ categoryId: 1 }],
    [{ lastActivity: -1 }],
    [{ 'settings.isPrivate': 1 }],
  ],
  messages: [
    [{ id: 1 }, { unique: true }],
    [{ channelId: 1, createdAt: -1 }],
    [{ revoltId: 1, createdAt: -1 }],
    [{ authorId: 1 }],
    [{ createdAt: -1 }],
    [{ isDeleted: 1 }],
    [{ pinned: 1 }],
    [{ mentions: 1 }],
  ],
  voiceSessions: [
    [{ id: 1 }, { unique: true }],
    [{ revoltId: 1 }],
    [{ channelId: 1 }],
    [{ isActive: 1 }],
    [{ 'participants.userId': 1 }],
    [{ startedAt: -1 }],
  ],
  letters: [
    [{ id: 1 }, { unique: true }],
    [{ book: 1, order: 1 }],
    [{ isUnlocked: 1 }],
  ],
  donations: [
    [{ id: 1 }, { unique: true }],
    [{ 'revolt.revoltId': 1 }],
    [{ 'donor.userId': 1 }],
    [{ createdAt: -1 }],
    [{ status: 1 }],
    [{ stripePaymentIntentId: 1 }],
  ],
  notifications: [[{ userId: 1, createdAt: -1 }], [{ isRead: 1 }], [{ type: 1 }], [{ revoltId: 1 }]],
};

describe('read-model indexes', () => {
  it.each(Object.keys(SEED))('%s has every index of the seed, created at start-up', async (collection) => {
    const indexes = await t.server.services.db.collection(collection).indexes();
    for (const [key, options] of SEED[collection]!) {
      const found = indexes.find((index) => JSON.stringify(index.key) === JSON.stringify(key));
      expect(found, `${collection} ${JSON.stringify(key)}`).toBeDefined();
      if (options?.unique) expect(found?.unique, `${collection} ${JSON.stringify(key)} unique`).toBe(true);
    }
  });
});
