import type { Document, ObjectId } from 'mongodb';
import type { CommandHandler } from '../../commands/handler.ts';
import { channelAccess, granted, liveRevolt, memberSubject, visibleRevolt } from '../../commands/permissions/access.ts';
import type { Permission } from '../../commands/permissions/catalogue.ts';
import { channelIdsShownTo } from '../../commands/permissions/visibility.ts';
import { revoltOfChannel, type ChannelDirectory } from '../../commands/revolts/channel-directory.ts';
import { revoltDecider, revoltStream } from '../../commands/revolts/decide.ts';
import type { ChannelState, RevoltState } from '../../commands/revolts/state.ts';

/**
 * How a request reaches a revolt: queries authorise against the revolt aggregate (cached by the command handler,
 * topped up from the store), not a read model, so a member who was just kicked or lost a role sees nothing more
 * from the very next request. The rules are src/commands/permissions'; this only loads what they judge.
 */
export interface RevoltSource {
  commands: CommandHandler;
}

export interface ChannelSource extends RevoltSource {
  channelDirectory: ChannelDirectory;
}

const load = async ({ commands }: RevoltSource, revoltId: string): Promise<RevoltState> =>
  (await commands.load(revoltStream(revoltId), revoltDecider)).state;

/** The revolt, live (404 otherwise). */
export async function loadRevolt(source: RevoltSource, revoltId: string): Promise<RevoltState> {
  return liveRevolt(await load(source, revoltId));
}

/** The revolt, if the user may see it (public, or a member); otherwise 404. */
export async function requireVisible(source: RevoltSource, revoltId: string, userId: string): Promise<RevoltState> {
  return visibleRevolt(await load(source, revoltId), userId);
}

/** The revolt, if the user is a member of it; otherwise 404. */
export async function requireMember(source: RevoltSource, revoltId: string, userId: string): Promise<RevoltState> {
  const revolt = await load(source, revoltId);
  memberSubject(revolt, userId);
  return revolt;
}

/** The live revolt a channel belongs to (404 if there is no such channel): what a channel's commands are decided against. */
export async function revoltOfChannelState(source: ChannelSource, channelId: string): Promise<RevoltState> {
  return loadRevolt(source, await revoltOfChannel(source.channelDirectory, channelId));
}

/** The channel if the user may view it and holds `needed` in it (404 if they can't view it, 403 naming what they lack). */
export async function requireChannelAccess(
  source: ChannelSource,
  channelId: string,
  userId: string,
  needed: Permission[],
): Promise<{ revolt: RevoltState; channel: ChannelState }> {
  const revolt = await revoltOfChannelState(source, channelId);
  return { revolt, channel: granted(channelAccess(revolt, userId, channelId, needed)).channel };
}

/**
 * A revolts document as `userId` may see it: its channel ids, categories and categories' channel lists limited to
 * the channels they may view (an outsider of a public revolt: what @everyone may view; a deleted revolt: none).
 */
export function revoltDocShownTo(doc: Document, state: RevoltState, userId: string): Document {
  const shown = channelIdsShownTo(state, userId);
  const categories = (doc.categories as Document[])
    .filter((c) => shown.has(c.id))
    .map((c) => ({ ...c, channels: (c.channels as string[]).filter((id) => shown.has(id)) }));
  return { ...doc, channels: (doc.channels as ObjectId[]).filter((id) => shown.has(id.toHexString())), categories };
}

/** Revolts documents as `userId` may see them, each against its aggregate (cached, so a page costs little). */
export function revoltDocsShownTo(source: RevoltSource, docs: Document[], userId: string): Promise<Document[]> {
  return Promise.all(docs.map(async (doc) => revoltDocShownTo(doc, await load(source, doc.id as string), userId)));
}
