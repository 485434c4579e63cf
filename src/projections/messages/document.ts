import { ObjectId, type Document } from 'mongodb';
import type { StoredEmbed } from '../../commands/messages/content/embeds.ts';
import type { MessageSentData } from '../../commands/messages/events.ts';
import type { MessageState } from '../../commands/messages/state.ts';

const toObjectIds = (ids: readonly string[]) => ids.map((id) => new ObjectId(id));

export interface ReactionDocument {
  emoji: string;
  count: number;
  users: ObjectId[];
}

/** Embeds as stored: the seed's `timestamp` is a Date. */
export function embedDocuments(embeds: readonly StoredEmbed[] = []) {
  return embeds.map(({ timestamp, ...embed }) => ({ ...embed, ...(timestamp !== undefined && { timestamp: new Date(timestamp) }) }));
}

export function mentionFields(d: Pick<MessageSentData, 'mentions' | 'roleMentions' | 'channelMentions' | 'mentionEveryone'>) {
  return {
    mentions: toObjectIds(d.mentions),
    roleMentions: d.roleMentions,
    channelMentions: toObjectIds(d.channelMentions),
    mentionEveryone: d.mentionEveryone,
  };
}

/** The `messages` document a MessageSent creates; also the send command's answer (it is what a read returns). */
export function messageDocument(d: MessageSentData) {
  return {
    _id: new ObjectId(d.messageId),
    id: d.messageId,
    channelId: new ObjectId(d.channelId),
    revoltId: new ObjectId(d.revoltId),
    authorId: new ObjectId(d.authorId),
    content: d.content,
    type: d.type,
    attachments: d.attachments ?? [],
    embeds: embedDocuments(d.embeds),
    reactions: [] as ReactionDocument[],
    ...mentionFields(d),
    ...(d.replyTo !== undefined && { replyTo: d.replyTo }),
    pinned: false,
    isDeleted: false,
    createdAt: new Date(d.createdAt),
  };
}

/**
 * The document the read model holds for a message once it has applied the message's stream (and, for `pinned`,
 * its channel's pins): lets a command answer with the resource it just changed.
 */
export function documentOf(state: MessageState & { message: MessageSentData }, pinnedAt?: string) {
  return {
    ...messageDocument(state.message),
    reactions: [...state.reactions].map(([emoji, users]): ReactionDocument => ({ emoji, count: users.length, users: toObjectIds(users) })),
    ...(state.editedAt !== undefined && { editedAt: new Date(state.editedAt) }),
    pinned: pinnedAt !== undefined,
    ...(pinnedAt !== undefined && { pinnedAt: new Date(pinnedAt) }),
    isDeleted: state.isDeleted,
  };
}

/** A message as `viewerId` reads it: internal fields hidden, and `me` on each reaction computed for them (never stored). */
export function messageView(doc: Document, viewerId: string) {
  const { _id, _pos, reactions, ...rest } = doc;
  return {
    ...rest,
    reactions: ((reactions ?? []) as ReactionDocument[]).map(({ emoji, count, users }) => ({
      emoji,
      count,
      users,
      me: users.some((user) => user.toHexString() === viewerId),
    })),
  };
}
