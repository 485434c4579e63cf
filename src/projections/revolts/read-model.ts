import { ObjectId, type Document } from 'mongodb';
import { insertOnce, updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';

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
  ],
  async apply(recorded, ctx) {
    const revolts = ctx.collection('revolts');
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
      case 'ChannelCreated':
        await updateGuarded(
          revolts,
          { id: event.data.revoltId },
          { $push: { channels: new ObjectId(event.data.channelId) }, $inc: { 'stats.channelsCount': 1 } } as Document,
          p,
        );
        return;
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
          isOnline: false,
          lastSeen: joinedAt,
        };
        await updateGuarded(
          revolts,
          { id: d.revoltId },
          { $push: { members: member }, $inc: { 'stats.memberCount': 1 } } as Document,
          p,
        );
        return;
      }
      case 'MessageSent':
        await updateGuarded(revolts, { id: event.data.revoltId }, { $inc: { 'stats.messageCount': 1 } }, p);
        return;
      default:
        return;
    }
  },
};
