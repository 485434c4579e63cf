import type { Db } from 'mongodb';
import { isLiveMember, viewableChannels } from '../../commands/permissions/visibility.ts';
import type { RevoltState } from '../../commands/revolts/state.ts';
import { unreadOf, type ChannelHead, type RevoltHeads, type UserReadStates } from './documents.ts';

export interface ChannelReadStateView {
  channelId: string;
  revoltId: string;
  /** The last message the user read (acked, or sent); null when never. */
  lastReadMessageId: string | null;
  /** The channel's newest message. */
  lastMessageId: string | null;
  unreadCount: number;
  mentionCount: number;
}

export interface ReadStatesView {
  channels: ChannelReadStateView[];
  revolts: Array<{ revoltId: string; unreadCount: number; mentionCount: number }>;
}

export interface Reader {
  userId: string;
  /** The revolts the user is a live member of, as the caller holds them. */
  revolts: readonly RevoltState[];
}

function viewOf({ userId, revolts }: Reader, user: UserReadStates | undefined, headsOf: ReadonlyMap<string, RevoltHeads>): ReadStatesView {
  const view: ReadStatesView = { channels: [], revolts: [] };
  for (const revolt of revolts) {
    const roles = revolt.members.get(userId)?.roles ?? [];
    const heads: Record<string, ChannelHead | undefined> = headsOf.get(revolt.revoltId)?.channels ?? {};
    const total = { revoltId: revolt.revoltId, unreadCount: 0, mentionCount: 0 };
    for (const { channelId } of readableChannels(revolt, userId)) {
      const head = heads[channelId];
      const entry = user?.channels[channelId];
      if (!head && !entry) continue;
      const counts = unreadOf(head, entry, roles);
      view.channels.push({ channelId, revoltId: revolt.revoltId, lastReadMessageId: entry?.messageId ?? null, lastMessageId: head?.lastMessageId ?? null, ...counts });
      total.unreadCount += counts.unreadCount;
      total.mentionCount += counts.mentionCount;
    }
    view.revolts.push(total);
  }
  return view;
}

const readableChannels = (revolt: RevoltState, userId: string) => viewableChannels(revolt, userId).filter((c) => c.type === 'text');

/**
 * Readers' read states in the revolts given: every text channel each may view now that has messages or a read state
 * of theirs, and per revolt the totals. Two reads by `_id` for all the readers together (their documents and their
 * revolts' heads), whatever the number of messages: a gateway node answering a burst of IDENTIFYs reads once.
 */
export async function readStatesFor(db: Db, readers: readonly Reader[]): Promise<ReadStatesView[]> {
  const userIds = [...new Set(readers.map((r) => r.userId))];
  const revoltIds = [...new Set(readers.flatMap((r) => r.revolts.map((revolt) => revolt.revoltId)))];
  const [users, heads] = await Promise.all([
    userIds.length === 0 ? [] : db.collection<UserReadStates>('readStates').find({ _id: { $in: userIds } }).toArray(),
    revoltIds.length === 0 ? [] : db.collection<RevoltHeads>('revoltHeads').find({ _id: { $in: revoltIds } }).toArray(),
  ]);
  const userOf = new Map(users.map((user) => [user._id, user]));
  const headsOf = new Map(heads.map((doc) => [doc._id, doc]));
  return readers.map((reader) => viewOf(reader, userOf.get(reader.userId), headsOf));
}

/** One user's read states in the revolts given (see readStatesFor). */
export async function readStatesOf(db: Db, userId: string, revolts: readonly RevoltState[]): Promise<ReadStatesView> {
  const [view] = await readStatesFor(db, [{ userId, revolts }]);
  return view!;
}

/**
 * readStatesOf for the revolts among `revoltIds` (candidates, e.g. from the users read model) of which the user is
 * a live member, each judged by `load` (the revolt's aggregate as the caller holds it).
 */
export async function readStatesOfMember(
  db: Db,
  userId: string,
  revoltIds: readonly string[],
  load: (revoltId: string) => Promise<RevoltState | undefined>,
): Promise<ReadStatesView> {
  const revolts = await Promise.all(revoltIds.map((id) => load(id).catch(() => undefined)));
  return readStatesOf(db, userId, revolts.filter((revolt): revolt is RevoltState => isLiveMember(revolt, userId)));
}
