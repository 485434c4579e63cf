/**
 * The documents of the read-states read model, each keyed by `_id` (FerretDB scans on any other filter):
 * - `revoltHeads` `{_id: revoltId}`: per channel, how many messages it has had (`seq`, in log order), how many of
 *   them mentioned @everyone, per role how many mentioned it without @everyone, and its newest message;
 * - `messageSeqs` `{_id: messageId}`: the same three counters as they stood once that message was counted, so an
 *   ack of it knows in one read how far it reaches;
 * - `readStates` `{_id: userId}`: per channel the user read, was mentioned in, or found on joining its revolt, the
 *   counters as of their ack and the sequence numbers of the messages since then that mentioned them by name.
 * Unread = head.seq − acked seq − deletions since the ack; mentions = named mentions since the ack + (head − acked)
 * @everyone count + the same per role the user holds: every figure is a subtraction, whatever the channel's size.
 */
export interface Counters {
  seq: number;
  everyone: number;
  roles: Record<string, number>;
}

/** Deleted messages are remembered among the channel's last this many (see ChannelHead.deleted). */
export const DELETED_WINDOW = 1000;

export interface ChannelHead extends Counters {
  lastMessageId: string;
  /**
   * Sequence numbers of the deleted messages among the last DELETED_WINDOW (absent: none): unread counts leave them
   * out. A reader further behind than that also counts the older deleted ones (their count shows as "999+" anyway).
   */
  deleted?: number[];
}

export interface RevoltHeads {
  _id: string;
  channels: Record<string, ChannelHead>;
  _pos: number;
}

export interface MessageSeq extends Counters {
  _id: string;
  id: string;
  channelId: string;
}

export interface ChannelReadState extends Counters {
  revoltId: string;
  /** The last message acked (or sent) by the user; null when they were mentioned there but never read it. */
  messageId: string | null;
  /** Sequence numbers of the messages after the ack that mentioned the user by name (@everyone ones aside). */
  mentions: number[];
}

export interface UserReadStates {
  _id: string;
  channels: Record<string, ChannelReadState>;
  _pos: number;
}

export const emptyCounters = (): Counters => ({ seq: 0, everyone: 0, roles: {} });

/** Moves a channel's read state up to the message counted by `at` (never back), dropping the mentions it covers. */
export function advance(entry: ChannelReadState, messageId: string, at: Counters): void {
  if (at.seq <= entry.seq) return;
  Object.assign(entry, { messageId, seq: at.seq, everyone: at.everyone, roles: { ...at.roles }, mentions: entry.mentions.filter((seq) => seq > at.seq) });
}

/** What a user has not read in a channel: messages since their ack, and how many of those mention them. */
export function unreadOf(head: ChannelHead | undefined, entry: ChannelReadState | undefined, roles: readonly string[]): { unreadCount: number; mentionCount: number } {
  const read = entry ?? { ...emptyCounters(), mentions: [] };
  if (!head) return { unreadCount: 0, mentionCount: read.mentions.length };
  const byRole = roles.reduce((sum, role) => sum + (head.roles[role] ?? 0) - (read.roles[role] ?? 0), 0);
  const deletedSince = (head.deleted ?? []).filter((seq) => seq > read.seq).length;
  return { unreadCount: head.seq - read.seq - deletedSince, mentionCount: read.mentions.length + head.everyone - read.everyone + byRole };
}

/** Records the deletion of message number `seq` in its channel's head, keeping the window. */
export function recordDeletion(head: ChannelHead, seq: number): void {
  head.deleted = [...(head.deleted ?? []), seq].filter((deleted) => deleted > head.seq - DELETED_WINDOW);
}
