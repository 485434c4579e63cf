import type { Document, ObjectId } from 'mongodb';
import { has, type Permission } from '../../commands/permissions/catalogue.ts';
import { channelPermissions, type PermissionSubject } from '../../commands/permissions/resolve.ts';
import { forbidden, notFound } from '../../commands/errors.ts';
import { revoltDecider, revoltStream } from '../../commands/revolts/decide.ts';
import { liveRevolt, visibleRevolt } from '../../commands/revolts/authority.ts';
import { subjectOf, type ChannelState, type RevoltState } from '../../commands/revolts/state.ts';
import { channelIdsShownTo } from '../../commands/revolts/visibility.ts';
import type { CommandHandler } from '../../commands/handler.ts';
import { revoltOfChannel, type ChannelDirectorySources } from '../channels/directory.ts';

/** Where revolts are read from: their aggregates, through the command handler's cache. */
export interface RevoltSource {
  commands: CommandHandler;
}

/**
 * Queries authorise against the revolt aggregate (cached, topped up from the store), not the read model, so a
 * member who was just kicked or lost a role sees nothing more from the very next request.
 */
export async function loadRevolt({ commands }: RevoltSource, revoltId: string): Promise<RevoltState> {
  const { state } = await commands.load(revoltStream(revoltId), revoltDecider);
  return liveRevolt(state);
}

/** The revolt, if the user may see it (public, or a member); otherwise 404. */
export async function requireVisible(source: RevoltSource, revoltId: string, userId: string): Promise<RevoltState> {
  return visibleRevolt(await loadRevolt(source, revoltId), userId);
}

export async function requireMember(source: RevoltSource, revoltId: string, userId: string): Promise<RevoltState> {
  const revolt = await loadRevolt(source, revoltId);
  if (!revolt.members.has(userId)) throw notFound('revolt');
  return revolt;
}

/** Whether the subject may read a channel's messages: a text channel they can view, with READ_MESSAGE_HISTORY. */
function reads(subject: PermissionSubject, channel: ChannelState): boolean {
  const bits = channelPermissions(subject, channel);
  return channel.type === 'text' && has(bits, 'VIEW_CHANNEL') && has(bits, 'READ_MESSAGE_HISTORY');
}

/** The channels whose messages `userId` may read. */
export function readableChannelIds(revolt: RevoltState, userId: string): string[] {
  const subject = subjectOf(revolt, userId);
  if (!subject) return [];
  return [...revolt.channels.values()].filter((c) => reads(subject, c)).map((c) => c.channelId);
}

/** Whether `userId` may read the messages of one channel. */
export function mayReadChannel(revolt: RevoltState, userId: string, channelId: string): boolean {
  const subject = subjectOf(revolt, userId);
  const channel = revolt.channels.get(channelId);
  return subject !== undefined && channel !== undefined && reads(subject, channel);
}

/** The channel if the user may view it and holds `needed` in it; a channel they can't view is reported missing. */
export async function requireChannelAccess(
  sources: RevoltSource & ChannelDirectorySources,
  channelId: string,
  userId: string,
  needed: Permission[],
): Promise<{ revolt: RevoltState; channel: ChannelState }> {
  const revoltId = await revoltOfChannel(sources, channelId);
  if (!revoltId) throw notFound('channel');
  const revolt = await loadRevolt(sources, revoltId);
  const channel = revolt.channels.get(channelId);
  const subject = subjectOf(revolt, userId);
  if (!channel || !subject) throw notFound('channel');
  const bits = channelPermissions(subject, channel);
  if (!has(bits, 'VIEW_CHANNEL')) throw notFound('channel');
  const missing = needed.filter((p) => !has(bits, p));
  if (missing.length > 0) throw forbidden('you lack permissions in this channel', { missing });
  return { revolt, channel };
}

/**
 * A revolts document as `userId` may see it: its channel ids, categories and categories' channel lists limited to
 * the channels they may view (an outsider of a public revolt: what @everyone may view; a deleted revolt: none).
 */
export function revoltDocShownTo(doc: Document, state: RevoltState, userId: string): Document {
  const shown = state.exists && !state.deleted ? channelIdsShownTo(state, userId) : new Set<string>();
  const categories = (doc.categories as Document[])
    .filter((c) => shown.has(c.id))
    .map((c) => ({ ...c, channels: (c.channels as string[]).filter((id) => shown.has(id)) }));
  return { ...doc, channels: (doc.channels as ObjectId[]).filter((id) => shown.has(id.toHexString())), categories };
}

/** Revolts documents as `userId` may see them, each against its aggregate (cached, so a page costs little). */
export function revoltDocsShownTo({ commands }: RevoltSource, docs: Document[], userId: string): Promise<Document[]> {
  return Promise.all(
    docs.map(async (doc) => revoltDocShownTo(doc, (await commands.load(revoltStream(doc.id as string), revoltDecider)).state, userId)),
  );
}
