import type { MessageEditedData, MessageSentData } from '../../commands/messages/events.ts';
import { embedDocuments, mentionFields, messageDocument } from '../messages/document.ts';

/** A reaction as the search read model stores it: the messages read model's, ids as hex strings. */
export interface StoredReaction {
  emoji: string;
  count: number;
  users: string[];
}

/** A message document as JSON (ids hex strings, dates ISO strings): what a route serialises, less `me`. */
export type MessageJson = Record<string, unknown> & { reactions: StoredReaction[] };

/** JSON as a route would write it (ObjectId and Date serialise themselves), without the internal `_id`. */
const asJson = (value: object): Record<string, unknown> => JSON.parse(JSON.stringify(value));

export function sentJson(d: MessageSentData): MessageJson {
  const { _id, ...doc } = asJson(messageDocument(d));
  return doc as MessageJson;
}

/** The fields an edit replaces, as the messages read model sets them. */
export function editedJson(d: MessageEditedData): Record<string, unknown> {
  return asJson({ content: d.content, ...mentionFields(d), embeds: embedDocuments(d.embeds), editedAt: new Date(d.editedAt) });
}

/** Reactions after `userId` added or removed `emoji`, kept exact (count == users.length, empty ones gone). */
export function reacted(reactions: readonly StoredReaction[], emoji: string, userId: string, added: boolean): StoredReaction[] {
  const existing = reactions.find((r) => r.emoji === emoji);
  const users = (existing?.users ?? []).filter((user) => user !== userId);
  if (added) users.push(userId);
  const next = { emoji, count: users.length, users };
  if (!existing) return users.length > 0 ? [...reactions, next] : [...reactions];
  return reactions.flatMap((r) => (r !== existing ? [r] : users.length > 0 ? [next] : []));
}

/** The document as `viewerId` reads it: `me` on each reaction is theirs. */
export function shownTo(doc: MessageJson, viewerId: string) {
  return { ...doc, reactions: doc.reactions.map((r) => ({ ...r, me: r.users.includes(viewerId) })) };
}
