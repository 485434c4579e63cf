import type { Db } from 'mongodb';
import { notFound } from '../../commands/errors.ts';
import type { Config } from '../../config.ts';
import type { EventStore } from '../../events/store/port.ts';
import type { ReadModelProgress } from '../engine/progress.ts';

/** What the directory reads: the channels read model, and how far its lane has got. */
export interface ChannelDirectorySources {
  db: Db;
  store: Pick<EventStore, 'headPosition'>;
  progress: Pick<ReadModelProgress, 'waitForPosition'>;
  config: Pick<Config, 'READ_YOUR_WRITES_TIMEOUT_MS'>;
}

const MAX_ENTRIES = 50_000;
const known = new Map<string, string>();

/**
 * The revolt a channel belongs to. The mapping never changes, so it is cached for good once read from the
 * channels read model; a channel created a moment ago is waited for (bounded) rather than reported missing.
 */
export async function revoltOfChannel(sources: ChannelDirectorySources, channelId: string): Promise<string | null> {
  const cached = known.get(channelId);
  if (cached) return cached;
  const find = () => sources.db.collection('channels').findOne({ id: channelId }, { projection: { revoltId: 1 } });
  let channel = await find();
  if (!channel) {
    const head = await sources.store.headPosition();
    if (await sources.progress.waitForPosition('channels', head, sources.config.READ_YOUR_WRITES_TIMEOUT_MS)) {
      channel = await find();
    }
  }
  if (!channel) return null;
  const revoltId = channel.revoltId.toHexString() as string;
  if (known.size >= MAX_ENTRIES) known.clear();
  known.set(channelId, revoltId);
  return revoltId;
}

/** The revolt a channel belongs to, or 404. */
export async function channelRevolt(sources: ChannelDirectorySources, channelId: string): Promise<string> {
  const revoltId = await revoltOfChannel(sources, channelId);
  if (!revoltId) throw notFound('channel');
  return revoltId;
}
