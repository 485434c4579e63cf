import { ObjectId, type Collection, type Document } from 'mongodb';
import { inRuns } from '../batching.ts';
import { insertManyOnce, insertOnce, rewriteGuarded, updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent, isMessageSent, type DomainEvent } from '../event-types.ts';
import { embedDocuments, mentionFields, messageDocument, type ReactionDocument } from './document.ts';

type Of<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;

/** Reactions kept exact (count == users.length) by rewriting the array: FerretDB has no positional updates. */
async function applyReaction(messages: Collection<Document>, event: Of<'ReactionAdded' | 'ReactionRemoved'>): Promise<void> {
  const { messageId, emoji, userId } = event.data;
  await rewriteGuarded(messages, { id: messageId }, event.position, (doc) => {
    const reactions = doc.reactions as ReactionDocument[];
    const index = reactions.findIndex((r) => r.emoji === emoji);
    const reaction = reactions[index];
    const users = (reaction?.users ?? []).filter((u) => u.toHexString() !== userId);
    if (event.type === 'ReactionAdded') users.push(new ObjectId(userId));
    if (users.length === 0) {
      if (reaction) reactions.splice(index, 1);
    } else if (reaction) {
      reactions[index] = { emoji, count: users.length, users };
    } else {
      reactions.push({ emoji, count: users.length, users });
    }
  });
}

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
        // Beyond the seed: who may download an attachment is decided by the messages that carry it.
        { key: { 'attachments.id': 1 } },
        { key: { channelId: 1, pinned: 1, pinnedAt: -1 } },
      ],
    },
  ],
  /** Runs of MessageSent (the hot event) are inserted in one round trip; everything else one by one. */
  async applyBatch(events, ctx) {
    await inRuns(
      events,
      isMessageSent,
      (event) => this.apply(event, ctx),
      (run) => insertManyOnce(ctx.collection('messages'), run.map((event) => ({ doc: messageDocument((asDomainEvent(event) as typeof event).data), position: event.position }))),
    );
  },
  async apply(recorded, ctx) {
    const messages = ctx.collection('messages');
    const event = asDomainEvent(recorded);
    const p = event.position;
    switch (event.type) {
      case 'MessageSent':
        await insertOnce(messages, messageDocument(event.data), p);
        return;
      case 'MessageEdited': {
        const d = event.data;
        const set = { content: d.content, ...mentionFields(d), embeds: embedDocuments(d.embeds), editedAt: new Date(d.editedAt) };
        await updateGuarded(messages, { id: d.messageId }, { $set: set }, p);
        return;
      }
      case 'MessageDeleted':
        await updateGuarded(messages, { id: event.data.messageId }, { $set: { isDeleted: true, deletedAt: new Date(event.data.deletedAt) } }, p);
        return;
      case 'ReactionAdded':
      case 'ReactionRemoved':
        await applyReaction(messages, event);
        return;
      case 'MessagePinned':
        await updateGuarded(messages, { id: event.data.messageId }, { $set: { pinned: true, pinnedAt: new Date(event.data.pinnedAt) } }, p);
        return;
      case 'MessageUnpinned':
        await updateGuarded(messages, { id: event.data.messageId }, { $set: { pinned: false }, $unset: { pinnedAt: '' } }, p);
        return;
      default:
        return;
    }
  },
};
