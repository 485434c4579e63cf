import { ObjectId, type Collection, type Document } from 'mongodb';
import { insertOnce, rewriteEachGuarded, rewriteGuarded, updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { groupBy, inRuns } from '../batching.ts';
import { asDomainEvent, isMessageSent, type MessageSentEvent } from '../event-types.ts';
import {
  activityCollectionSpec,
  advanceWindow,
  forgetMember,
  forgetRevolt,
  isCountedActive,
  recordActivity,
  REVOLT_ACTIVITY,
  welcomeMember,
  type ActivityCollection,
} from './activity.ts';

/** Per revolt, one write for a run of messages: the count, and the members the run brings into activeMembers. */
async function countMessages(revolts: Collection, activity: ActivityCollection, run: MessageSentEvent[]): Promise<void> {
  for (const [revoltId, messages] of groupBy(run, (e) => e.data.revoltId)) {
    // A system message is the revolt's own (its author is the revolt): it makes no member active.
    const activities = messages
      .filter((e) => e.data.type !== 'system')
      .map((e) => ({ userId: e.data.authorId, at: new Date(e.data.createdAt), position: e.position }));
    await recordActivity(revolts, activity, revoltId, messages, activities, (fresh) => ({ $inc: { 'stats.messageCount': fresh.length } }));
  }
}

export const revoltsReadModel: ReadModel = {
  name: 'revolts',
  collections: [
    {
      name: 'revolts',
      indexes: [
        { key: { id: 1 }, options: { unique: true } },
        { key: { owner: 1 } },
        { key: { 'members.userId': 1 } },
        { key: { 'settings.isPublic': 1 } },
        { key: { createdAt: -1 } },
        { key: { inviteCode: 1 }, options: { unique: true } },
        { key: { 'stats.memberCount': -1 } },
        { key: { 'settings.isPublic': 1, 'stats.memberCount': -1 } },
        { key: { banner: 1 }, options: { sparse: true } },
      ],
    },
    activityCollectionSpec,
  ],
  async applyBatch(events, ctx) {
    const count = (run: MessageSentEvent[]) => countMessages(ctx.collection('revolts'), ctx.collection(REVOLT_ACTIVITY), run);
    await inRuns(events, isMessageSent, (event) => this.apply(event, ctx), count);
  },
  async apply(recorded, ctx) {
    const revolts = ctx.collection('revolts');
    const activity: ActivityCollection = ctx.collection(REVOLT_ACTIVITY);
    const event = asDomainEvent(recorded);
    const p = event.position;
    switch (event.type) {
      case 'RevoltCreated': {
        const d = event.data;
        const createdAt = new Date(d.createdAt);
        await insertOnce(
          revolts,
          {
            _id: new ObjectId(d.revoltId),
            id: d.revoltId,
            name: d.name,
            description: d.description,
            ...(d.icon !== undefined && { icon: d.icon }),
            ...(d.banner !== undefined && { banner: d.banner }),
            owner: new ObjectId(d.ownerId),
            members: [],
            channels: [],
            roles: [],
            categories: [],
            settings: d.settings,
            stats: { memberCount: 0, messageCount: 0, totalDonations: 0, activeMembers: 0, channelsCount: 0, createdAt },
            inviteCode: d.inviteCode,
            createdAt,
            updatedAt: createdAt,
          },
          p,
        );
        return;
      }
      case 'RoleCreated': {
        const { revoltId, roleId, createdAt, ...role } = event.data;
        await updateGuarded(
          revolts,
          { id: revoltId },
          { $push: { roles: { id: roleId, ...role, createdAt: new Date(createdAt) } } } as Document,
          p,
        );
        return;
      }
      case 'ChannelCreated': {
        const d = event.data;
        await rewriteGuarded(revolts, { id: d.revoltId }, p, (doc) => {
          doc.channels.push(new ObjectId(d.channelId));
          doc.stats.channelsCount += 1;
          if (d.type === 'category') {
            doc.categories.push({ id: d.channelId, name: d.name, position: d.position, channels: [], collapsed: false });
            doc.categories.sort((a: Document, b: Document) => a.position - b.position);
          } else if (d.categoryId) {
            doc.categories.find((c: Document) => c.id === d.categoryId)?.channels.push(d.channelId);
          }
        });
        return;
      }
      case 'InviteCodeSet':
        await updateGuarded(revolts, { id: event.data.revoltId }, { $set: { inviteCode: event.data.inviteCode } }, p);
        return;
      case 'MemberJoined': {
        const d = event.data;
        const joinedAt = new Date(d.joinedAt);
        const member = {
          userId: new ObjectId(d.userId),
          username: d.username,
          joinedAt,
          roles: [],
          permissions: [],
          isOwner: d.isOwner,
          isOnline: d.presence !== undefined && d.presence !== 'offline',
          lastSeen: joinedAt,
        };
        await updateGuarded(
          revolts,
          { id: d.revoltId },
          { $push: { members: member }, $inc: { 'stats.memberCount': 1 } } as Document,
          p,
        );
        await welcomeMember(activity, d.revoltId, d.userId, p);
        return;
      }
      case 'MessageSent':
        await countMessages(revolts, activity, [event]);
        return;
      case 'VoiceParticipantJoined':
      case 'VoiceParticipantLeft': {
        // Being in voice is activity: from joining to leaving.
        const { revoltId, userId } = event.data;
        const at = new Date(event.type === 'VoiceParticipantJoined' ? event.data.joinedAt : event.data.leftAt);
        await recordActivity(revolts, activity, revoltId, [event], [{ userId, at, position: p }]);
        return;
      }
      case 'ActivityWindowAdvanced':
        await advanceWindow(revolts, activity, new Date(event.data.asOf), p);
        return;
      case 'UserPresenceChanged': {
        // members[].isOnline is what other members see: an invisible user stays offline.
        const { userId, presence, previousPresence, at } = event.data;
        if (presence === previousPresence) return;
        await rewriteEachGuarded(revolts, { 'members.userId': new ObjectId(userId) }, p, (doc) => {
          const member = doc.members.find((m: Document) => m.userId.toHexString() === userId);
          if (!member) return;
          member.isOnline = presence !== 'offline';
          member.lastSeen = new Date(at);
        });
        return;
      }
      case 'RevoltUpdated': {
        const { changes, updatedAt } = event.data;
        const set: Document = { updatedAt: new Date(updatedAt) };
        const unset: Document = {};
        for (const key of ['name', 'description', 'icon', 'banner'] as const) {
          const value = changes[key];
          if (value === null) unset[key] = '';
          else if (value !== undefined) set[key] = value;
        }
        for (const [key, value] of Object.entries(changes.settings ?? {})) set[`settings.${key}`] = value;
        await updateGuarded(revolts, { id: event.data.revoltId }, { $set: set, ...(Object.keys(unset).length > 0 && { $unset: unset }) }, p);
        return;
      }
      case 'RevoltDeleted':
        await revolts.deleteOne({ id: event.data.revoltId });
        await forgetRevolt(activity, event.data.revoltId);
        return;
      case 'MemberLeft':
      case 'MemberKicked':
      case 'MemberBanned': {
        const { revoltId, userId } = event.data;
        const wasActive = await isCountedActive(activity, revoltId, userId);
        await rewriteGuarded(revolts, { id: revoltId }, p, (doc) => {
          const before = doc.members.length;
          doc.members = doc.members.filter((m: Document) => m.userId.toHexString() !== userId);
          doc.stats.memberCount -= before - doc.members.length;
          if (wasActive && before > doc.members.length) doc.stats.activeMembers -= 1;
        });
        await forgetMember(activity, revoltId, userId, p);
        return;
      }
      case 'OwnershipTransferred': {
        const { from, to } = event.data;
        await rewriteGuarded(revolts, { id: event.data.revoltId }, p, (doc) => {
          doc.owner = new ObjectId(to);
          for (const m of doc.members) {
            const id = m.userId.toHexString();
            if (id === from || id === to) m.isOwner = id === to;
          }
        });
        return;
      }
      case 'RoleUpdated':
        await rewriteGuarded(revolts, { id: event.data.revoltId }, p, (doc) => {
          const role = doc.roles.find((r: Document) => r.id === event.data.roleId);
          if (role) Object.assign(role, event.data.changes);
        });
        return;
      case 'RoleDeleted': {
        const { roleId } = event.data;
        await rewriteGuarded(revolts, { id: event.data.revoltId }, p, (doc) => {
          doc.roles = doc.roles.filter((r: Document) => r.id !== roleId);
          for (const m of doc.members) m.roles = m.roles.filter((r: string) => r !== roleId);
        });
        return;
      }
      case 'MemberRoleGranted':
      case 'MemberRoleRevoked': {
        const { userId, roleId } = event.data;
        const grant = event.type === 'MemberRoleGranted';
        await rewriteGuarded(revolts, { id: event.data.revoltId }, p, (doc) => {
          const member = doc.members.find((m: Document) => m.userId.toHexString() === userId);
          if (!member) return;
          member.roles = grant ? [...new Set([...member.roles, roleId])] : member.roles.filter((r: string) => r !== roleId);
        });
        return;
      }
      case 'ChannelUpdated': {
        const { channelId, changes } = event.data;
        if (changes.name === undefined && changes.position === undefined && changes.categoryId === undefined) return;
        await rewriteGuarded(revolts, { id: event.data.revoltId }, p, (doc) => {
          const category = doc.categories.find((c: Document) => c.id === channelId);
          if (category) {
            if (changes.name !== undefined) category.name = changes.name;
            if (changes.position !== undefined) category.position = changes.position;
          }
          if (changes.categoryId !== undefined) {
            for (const c of doc.categories) c.channels = c.channels.filter((id: string) => id !== channelId);
            doc.categories.find((c: Document) => c.id === changes.categoryId)?.channels.push(channelId);
          }
          doc.categories.sort((a: Document, b: Document) => a.position - b.position);
        });
        return;
      }
      case 'ChannelDeleted': {
        const { channelId } = event.data;
        await rewriteGuarded(revolts, { id: event.data.revoltId }, p, (doc) => {
          const before = doc.channels.length;
          doc.channels = doc.channels.filter((id: ObjectId) => id.toHexString() !== channelId);
          doc.stats.channelsCount -= before - doc.channels.length;
          doc.categories = doc.categories.filter((c: Document) => c.id !== channelId);
          for (const c of doc.categories) c.channels = c.channels.filter((id: string) => id !== channelId);
        });
        return;
      }
      case 'DonationCompleted':
      case 'DonationRefunded': {
        // stats.totalDonations: completed minus refunded money, in minor units.
        const delta = event.type === 'DonationCompleted' ? event.data.amount : -event.data.amount;
        await updateGuarded(revolts, { id: event.data.revoltId }, { $inc: { 'stats.totalDonations': delta } }, p);
        return;
      }
      default:
        return;
    }
  },
};
