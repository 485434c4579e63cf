import { ObjectId, type Document } from 'mongodb';
import { insertOnce, rewriteGuarded, updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';

export const TOTAL_LETTERS = 30;

export const usersReadModel: ReadModel = {
  name: 'users',
  collections: [
    {
      name: 'users',
      indexes: [
        { key: { email: 1 }, options: { unique: true } },
        { key: { id: 1 }, options: { unique: true } },
        { key: { username: 1, discriminator: 1 }, options: { unique: true } },
        { key: { userType: 1 } },
        { key: { joinedAt: -1 } },
        { key: { status: 1 } },
        { key: { lastSeen: -1 } },
        { key: { status: 1, lastSeen: -1 } },
        { key: { customStatus: 1 }, options: { sparse: true } },
      ],
    },
  ],
  async apply(recorded, ctx) {
    const users = ctx.collection('users');
    const event = asDomainEvent(recorded);
    const p = event.position;
    switch (event.type) {
      case 'UserRegistered': {
        const d = event.data;
        const joinedAt = new Date(d.joinedAt);
        await insertOnce(
          users,
          {
            _id: new ObjectId(d.userId),
            id: d.userId,
            username: d.username,
            email: d.email,
            discriminator: d.discriminator,
            status: 'online',
            userType: d.userType,
            joinedAt,
            isVerified: false,
            letterProgress: {
              completedLetters: [],
              currentLetter: 1,
              totalLetters: TOTAL_LETTERS,
              assignments: [],
              lastAccessed: joinedAt,
            },
            achievements: [],
            stats: {
              revoltsJoined: 0,
              revoltsCreated: 0,
              messagesSent: 0,
              totalDonated: 0,
              totalRaised: 0,
              voiceTime: 0,
              screenShareTime: 0,
              followers: 0,
              following: 0,
              reputation: 0,
              lastActive: joinedAt,
            },
            revoltMemberships: [],
            lastSeen: joinedAt,
          },
          p,
        );
        return;
      }
      case 'UserProfileUpdated':
        await updateGuarded(users, { id: event.data.userId }, { $set: event.data.changes }, p);
        return;
      case 'UserStatusChanged':
        await updateGuarded(users, { id: event.data.userId }, { $set: { status: event.data.status } }, p);
        return;
      case 'RevoltCreated':
        await updateGuarded(users, { id: event.data.ownerId }, { $inc: { 'stats.revoltsCreated': 1 } }, p);
        return;
      case 'MemberJoined': {
        const d = event.data;
        const joinedAt = new Date(d.joinedAt);
        const membership = {
          revoltId: new ObjectId(d.revoltId),
          revoltName: d.revoltName,
          joinedAt,
          roles: [],
          permissions: [],
          isOwner: d.isOwner,
          lastSeen: joinedAt,
          messageCount: 0,
          voiceTime: 0,
        };
        await updateGuarded(
          users,
          { id: d.userId },
          { $push: { revoltMemberships: membership }, $inc: { 'stats.revoltsJoined': 1 } } as Document,
          p,
        );
        return;
      }
      case 'MessageSent': {
        const d = event.data;
        const at = new Date(d.createdAt);
        await rewriteGuarded(users, { id: d.authorId }, p, (user) => {
          user.stats.messagesSent += 1;
          user.stats.lastActive = at;
          const membership = (user.revoltMemberships as Document[]).find((m) => m.revoltId.toHexString() === d.revoltId);
          if (membership) {
            membership.messageCount += 1;
            membership.lastSeen = at;
          }
        });
        return;
      }
      default:
        return;
    }
  },
};
