import { ObjectId } from 'mongodb';
import type { MessageEvent } from '../../commands/messages/events.ts';

const toObjectIds = (ids: string[]) => ids.map((id) => new ObjectId(id));

/** The `messages` document a MessageSent creates; also the send command's answer (it is what a read returns). */
export function messageDocument(d: MessageEvent['data']) {
  return {
    _id: new ObjectId(d.messageId),
    id: d.messageId,
    channelId: new ObjectId(d.channelId),
    revoltId: new ObjectId(d.revoltId),
    authorId: new ObjectId(d.authorId),
    content: d.content,
    type: d.type,
    attachments: [],
    embeds: [],
    reactions: [],
    mentions: toObjectIds(d.mentions),
    roleMentions: d.roleMentions,
    channelMentions: toObjectIds(d.channelMentions),
    mentionEveryone: d.mentionEveryone,
    ...(d.replyTo !== undefined && { replyTo: d.replyTo }),
    pinned: false,
    isDeleted: false,
    createdAt: new Date(d.createdAt),
  };
}
