import { insertOnce } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';
import { messageDocument } from './document.ts';

export const messagesReadModel: ReadModel = {
  name: 'messages',
  collections: [
    {
      name: 'messages',
      indexes: [
        { key: { id: 1 }, options: { unique: true } },
        { key: { channelId: 1, createdAt: -1 } },
        { key: { revoltId: 1, createdAt: -1 } },
        { key: { authorId: 1 } },
        { key: { createdAt: -1 } },
        { key: { isDeleted: 1 } },
        { key: { pinned: 1 } },
        { key: { mentions: 1 } },
      ],
    },
  ],
  async apply(recorded, ctx) {
    const messages = ctx.collection('messages');
    const event = asDomainEvent(recorded);
    switch (event.type) {
      case 'MessageSent': {
        const d = event.data;
        await insertOnce(messages, messageDocument(d), event.position);
        return;
      }
      default:
        return;
    }
  },
};
