import type { DomainEvent } from '../event-types.ts';
import { advance, emptyCounters, recordDeletion, type ChannelReadState, type MessageSeq, type RevoltHeads, type UserReadStates } from './documents.ts';

export type Sent = Extract<DomainEvent, { type: 'MessageSent' }>;
export type Acked = Extract<DomainEvent, { type: 'ChannelAcked' }>;
export type Joined = Extract<DomainEvent, { type: 'MemberJoined' }>;
export type Deleted = Extract<DomainEvent, { type: 'MessageDeleted' }>;

/**
 * A document loaded for a batch: `seen` is its position when read (0: absent), what its write is conditioned on;
 * events past its `_pos` (what it had seen, then what the batch applied) apply to it.
 */
export interface Loaded<T> {
  doc: T;
  seen: number;
  dirty: boolean;
}

/** The documents one batch touches, read up front (three queries by `_id`), changed in memory in log order, written once. */
export class Batch {
  constructor(
    private readonly heads: Map<string, Loaded<RevoltHeads>>,
    private readonly seqs: Map<string, MessageSeq>,
    private readonly users: Map<string, Loaded<UserReadStates>>,
    readonly newSeqs: Array<{ doc: MessageSeq; position: number }> = [],
  ) {}

  /**
   * The loaded document if `position` is news to it (creating it when absent), marked to be written: past what it
   * had seen when read, and past what this batch applied to it (an event delivered twice applies once).
   */
  private fresh<T extends { _pos: number }>(map: Map<string, Loaded<T>>, id: string, position: number, create: () => T): T | null {
    let loaded = map.get(id);
    if (!loaded) map.set(id, (loaded = { doc: create(), seen: 0, dirty: false }));
    if (position <= loaded.doc._pos) return null;
    loaded.dirty = true;
    loaded.doc._pos = position;
    return loaded.doc;
  }

  private user(userId: string, position: number): UserReadStates | null {
    return this.fresh(this.users, userId, position, (): UserReadStates => ({ _id: userId, channels: {}, _pos: 0 }));
  }

  private entry(userId: string, channelId: string, revoltId: string, position: number): ChannelReadState | null {
    const user = this.user(userId, position);
    if (!user) return null;
    return (user.channels[channelId] ??= { revoltId, messageId: null, ...emptyCounters(), mentions: [] });
  }

  sent(event: Sent): void {
    const { messageId, channelId, revoltId, authorId, mentions, roleMentions, mentionEveryone } = event.data;
    const revolt = this.fresh(this.heads, revoltId, event.position, (): RevoltHeads => ({ _id: revoltId, channels: {}, _pos: 0 }));
    if (revolt) {
      const head = (revolt.channels[channelId] ??= { lastMessageId: messageId, ...emptyCounters() });
      head.seq += 1;
      head.lastMessageId = messageId;
      if (mentionEveryone) head.everyone += 1;
      else for (const role of roleMentions) head.roles[role] = (head.roles[role] ?? 0) + 1;
      const counted: MessageSeq = { _id: messageId, id: messageId, channelId, seq: head.seq, everyone: head.everyone, roles: { ...head.roles } };
      this.seqs.set(messageId, counted);
      this.newSeqs.push({ doc: counted, position: event.position });
    }
    const counted = this.seqs.get(messageId);
    if (!counted) return;
    // @everyone covers everyone named in the same message: one mention each.
    if (!mentionEveryone) {
      for (const userId of mentions) {
        if (userId !== authorId) this.entry(userId, channelId, revoltId, event.position)?.mentions.push(counted.seq);
      }
    }
    // Sending reads the channel up to one's own message, as Discord's clients do.
    const own = this.entry(authorId, channelId, revoltId, event.position);
    if (own) advance(own, messageId, counted);
  }

  acked(event: Acked): void {
    const { userId, channelId, revoltId, messageId } = event.data;
    const counted = this.seqs.get(messageId);
    const entry = this.entry(userId, channelId, revoltId, event.position);
    if (entry && counted) advance(entry, messageId, counted);
  }

  /** A deleted message no longer counts as unread (within the window, see ChannelHead.deleted). */
  deleted(event: Deleted): void {
    const { revoltId, channelId, messageId } = event.data;
    const counted = this.seqs.get(messageId);
    const revolt = counted ? this.fresh(this.heads, revoltId, event.position, (): RevoltHeads => ({ _id: revoltId, channels: {}, _pos: 0 })) : null;
    const head = revolt?.channels[channelId];
    if (head && counted) recordDeletion(head, counted.seq);
  }

  /**
   * A joiner starts with the revolt read as it stands (as on Discord): every channel's head, as of this event (the
   * revolt's document is never written ahead of the users', see applyAll), becomes their read state.
   */
  joined(event: Joined): void {
    const { revoltId, userId } = event.data;
    const heads = this.heads.get(revoltId)?.doc.channels ?? {};
    const user = Object.keys(heads).length === 0 ? null : this.user(userId, event.position);
    if (!user) return;
    for (const [channelId, head] of Object.entries(heads)) {
      advance((user.channels[channelId] ??= { revoltId, messageId: null, ...emptyCounters(), mentions: [] }), head.lastMessageId, head);
    }
  }
}

