import { ObjectId } from 'mongodb';
import { insertOnce, updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';

export const channelsReadModel: ReadModel = {
  name: 'channels',
  collections: [
    {
      name: 'channels',
      indexes: [
        { key: { id: 1 }, options: { unique: true } },
        { key: { revoltId: 1, position: 1 } },
        { key: { revoltId: 1, type: 1 } },
        { key: { categoryId: 1 } },
        { key: { lastActivity: -1 } },
        { key: { 'settings.isPrivate': 1 } },
      ],
    },
  ],
  async apply(recorded, ctx) {
    const channels = ctx.collection('channels');
    const event = asDomainEvent(recorded);
    switch (event.type) {
      case 'ChannelCreated': {
        const d = event.data;
        const createdAt = new Date(d.createdAt);
        await insertOnce(
          channels,
          {
            _id: new ObjectId(d.channelId),
            id: d.channelId,
            revoltId: new ObjectId(d.revoltId),
            name: d.name,
            type: d.type,
            ...(d.description !== undefined && { description: d.description }),
            position: d.position,
            ...(d.categoryId !== undefined && { categoryId: d.categoryId }),
            permissions: [],
            settings: d.settings,
            lastActivity: createdAt,
            createdAt,
            updatedAt: createdAt,
          },
          event.position,
        );
        return;
      }
      case 'MessageSent':
        await updateGuarded(
          channels,
          { id: event.data.channelId },
          { $set: { lastMessageId: event.data.messageId, lastActivity: new Date(event.data.createdAt) } },
          event.position,
        );
        return;
      default:
        return;
    }
  },
};
