import { ObjectId, type Collection, type Document } from 'mongodb';
import { insertOnce, rewriteEachGuarded, rewriteGuarded, updateGuarded, updateWithEvents } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { groupBy, inRuns } from '../batching.ts';
import { asDomainEvent, isMessageSent, type MessageSentEvent } from '../event-types.ts';

/** A channel's last message and activity: one write per channel for a run of messages. */
async function recordActivity(channels: Collection, run: MessageSentEvent[]): Promise<void> {
  for (const [channelId, messages] of groupBy(run, (e) => e.data.channelId)) {
    await updateWithEvents(channels, { id: channelId }, messages, (fresh) => {
      const last = fresh.at(-1)!.data;
      return { $set: { lastMessageId: last.messageId, lastActivity: new Date(last.createdAt) } };
    });
  }
}

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
  async applyBatch(events, ctx) {
    await inRuns(events, isMessageSent, (event) => this.apply(event, ctx), (run) => recordActivity(ctx.collection('channels'), run));
  },
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
            settings: { ...d.settings, ...(d.settings.archivedAt !== undefined && { archivedAt: new Date(d.settings.archivedAt) }) },
            lastActivity: createdAt,
            createdAt,
            updatedAt: createdAt,
          },
          event.position,
        );
        return;
      }
      case 'MessageSent':
        await recordActivity(channels, [event]);
        return;
      case 'ChannelUpdated': {
        const { channelId, changes, at } = event.data;
        const { categoryId, settings, ...fields } = changes;
        const set: Document = { ...fields, updatedAt: new Date(at) };
        for (const [key, value] of Object.entries(settings ?? {})) {
          set[`settings.${key}`] = key === 'archivedAt' ? new Date(value as string) : value;
        }
        if (typeof categoryId === 'string') set.categoryId = categoryId;
        const update = { $set: set, ...(categoryId === null && { $unset: { categoryId: '' } }) };
        await updateGuarded(channels, { id: channelId }, update, event.position);
        return;
      }
      case 'ChannelDeleted':
        await channels.deleteOne({ id: event.data.channelId });
        await updateGuarded(channels, { categoryId: event.data.channelId }, { $unset: { categoryId: '' } }, event.position, { many: true });
        return;
      case 'ChannelPermissionsSet':
      case 'ChannelPermissionsRemoved': {
        const d = event.data;
        const targetId = event.type === 'ChannelPermissionsSet' ? event.data.overwrite.id : event.data.targetId;
        await rewriteGuarded(channels, { id: d.channelId }, event.position, (channel) => {
          channel.permissions = (channel.permissions as Document[]).filter((o) => o.id !== targetId);
          if (event.type === 'ChannelPermissionsSet') channel.permissions.push(event.data.overwrite);
          channel.updatedAt = new Date(d.at);
        });
        return;
      }
      case 'RoleDeleted':
        await rewriteEachGuarded(channels, { revoltId: new ObjectId(event.data.revoltId), 'permissions.id': event.data.roleId }, event.position, (channel) => {
          channel.permissions = (channel.permissions as Document[]).filter((o) => o.id !== event.data.roleId);
        });
        return;
      case 'RevoltDeleted':
        await channels.deleteMany({ revoltId: new ObjectId(event.data.revoltId) });
        return;
      default:
        return;
    }
  },
};
