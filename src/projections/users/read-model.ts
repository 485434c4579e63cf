import { ObjectId, type Collection, type Document } from 'mongodb';
import { insertOnce, rewriteEachGuarded, rewriteEachWithEvents, rewriteGuarded, updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { groupBy, inRuns } from '../batching.ts';
import { asDomainEvent, isMessageSent, type MessageSentEvent } from '../event-types.ts';
import { applyAchievementToUser } from './achievements.ts';
import { touch, withActivity } from './activity.ts';
import { countJoin } from './joins.ts';
import { applyCourseToUsers, applyProgressToUser, courseOutlineCollection, initialLetterProgress } from './progress.ts';
import { applyFollowToUsers } from './social.ts';
import { applyVoiceToUser } from './voice.ts';

function findMembership(user: Document, revoltId: string): Document | undefined {
  return (user.revoltMemberships as Document[]).find((m) => m.revoltId.toHexString() === revoltId);
}

function removeMembership(user: Document, revoltId: string): void {
  user.revoltMemberships = (user.revoltMemberships as Document[]).filter((m) => m.revoltId.toHexString() !== revoltId);
}

function dropMembership(users: Collection, userId: string, revoltId: string, position: number) {
  return rewriteGuarded(users, { id: userId }, position, (user) => removeMembership(user, revoltId));
}

function eachMembership(users: Collection, revoltId: string, position: number, change: (membership: Document) => void) {
  return rewriteEachGuarded(users, { 'revoltMemberships.revoltId': new ObjectId(revoltId) }, position, (user) => {
    const membership = findMembership(user, revoltId);
    if (membership) change(membership);
  });
}

/** A run of messages: its authors read in one query and written back in bulk. */
async function countMessages(users: Collection, run: MessageSentEvent[]): Promise<void> {
  const authors = [...groupBy(run, (e) => e.data.authorId)].map(([authorId, events]) => ({ _id: new ObjectId(authorId), events }));
  await rewriteEachWithEvents(users, authors, (user, { data }) => {
    const at = new Date(data.createdAt);
    user.stats.messagesSent += 1;
    touch(user, at);
    const membership = findMembership(user, data.revoltId);
    if (membership) {
      membership.messageCount += 1;
      membership.lastSeen = at;
    }
  });
}

const eventEffects: ReadModel = {
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
    courseOutlineCollection,
  ],
  async applyBatch(events, ctx) {
    await inRuns(events, isMessageSent, (event) => this.apply(event, ctx), (run) => countMessages(ctx.collection('users'), run));
  },
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
            letterProgress: await initialLetterProgress(ctx, joinedAt),
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
      case 'EmailVerified':
        await updateGuarded(users, { id: event.data.userId }, { $set: { isVerified: true } }, p);
        return;
      case 'UserPresenceChanged': {
        // lastSeen moves when what others see changes (an invisible user's comings and goings stay hidden).
        const { presence, previousPresence, at } = event.data;
        if (presence === previousPresence) return;
        await updateGuarded(users, { id: event.data.userId }, { $set: { lastSeen: new Date(at) } }, p);
        return;
      }
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
        await rewriteGuarded(users, { id: d.userId }, p, (user) => {
          (user.revoltMemberships as Document[]).push(membership);
          countJoin(user, d.revoltId);
        });
        return;
      }
      case 'MessageSent':
        await countMessages(users, [event]);
        return;
      case 'MemberLeft':
      case 'MemberKicked':
        await dropMembership(users, event.data.userId, event.data.revoltId, p);
        return;
      case 'MemberBanned':
        if (event.data.wasMember) await dropMembership(users, event.data.userId, event.data.revoltId, p);
        return;
      case 'RevoltDeleted':
        await rewriteEachGuarded(users, { 'revoltMemberships.revoltId': new ObjectId(event.data.revoltId) }, p, (user) => {
          removeMembership(user, event.data.revoltId);
        });
        return;
      case 'RevoltUpdated': {
        const { name } = event.data.changes;
        if (name === undefined) return;
        await eachMembership(users, event.data.revoltId, p, (membership) => {
          membership.revoltName = name;
        });
        return;
      }
      case 'OwnershipTransferred': {
        const { from, to, revoltId } = event.data;
        for (const userId of [from, to]) {
          await rewriteGuarded(users, { id: userId }, p, (user) => {
            const membership = findMembership(user, revoltId);
            if (membership) membership.isOwner = userId === to;
          });
        }
        return;
      }
      case 'MemberRoleGranted':
      case 'MemberRoleRevoked': {
        const { userId, roleId, revoltId } = event.data;
        const grant = event.type === 'MemberRoleGranted';
        await rewriteGuarded(users, { id: userId }, p, (user) => {
          const membership = findMembership(user, revoltId);
          if (!membership) return;
          membership.roles = grant ? [...new Set([...membership.roles, roleId])] : membership.roles.filter((r: string) => r !== roleId);
        });
        return;
      }
      case 'RoleDeleted': {
        const { roleId } = event.data;
        await eachMembership(users, event.data.revoltId, p, (membership) => {
          membership.roles = membership.roles.filter((r: string) => r !== roleId);
        });
        return;
      }
      case 'DonationCompleted':
      case 'DonationRefunded': {
        // Completed minus refunded money: the donor's totalDonated, and totalRaised of the revolt's owner at the
        // time of the pledge (named in the event). One write when they are the same user: a second guarded write
        // at the same position would be skipped.
        const d = event.data;
        const delta = event.type === 'DonationCompleted' ? d.amount : -d.amount;
        if (d.donorId === d.ownerId) {
          await updateGuarded(users, { id: d.donorId }, { $inc: { 'stats.totalDonated': delta, 'stats.totalRaised': delta } }, p);
        } else {
          await updateGuarded(users, { id: d.donorId }, { $inc: { 'stats.totalDonated': delta } }, p);
          await updateGuarded(users, { id: d.ownerId }, { $inc: { 'stats.totalRaised': delta } }, p);
        }
        return;
      }
      case 'VoiceParticipantJoined':
      case 'VoiceParticipantLeft':
      case 'VoiceStateChanged':
        await applyVoiceToUser(users, event);
        return;
      case 'UserFollowed':
      case 'UserUnfollowed':
        await applyFollowToUsers(users, event);
        return;
      case 'AssignmentSubmitted':
      case 'LetterCompleted':
      case 'CourseCompleted':
        await applyProgressToUser(ctx, event);
        return;
      case 'LetterPublished':
      case 'LetterRevised':
      case 'LetterRetired':
        await applyCourseToUsers(ctx, event);
        return;
      case 'AchievementUnlocked':
        await applyAchievementToUser(users, event);
        return;
      default:
        return;
    }
  },
};

/** Each event's own effect, then what events do beyond it (lastActive, reputation): one write per user per batch. */
export const usersReadModel = withActivity(eventEffects);
