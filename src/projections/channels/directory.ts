import type { Db } from 'mongodb';
import type { ChannelDirectory } from '../../commands/revolts/channel-directory.ts';
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

/**
 * The channel directory on the channels read model. A channel's revolt never changes, so it is cached for good
 * once read; a channel created a moment ago is waited for (bounded) rather than reported missing.
 */
export function createChannelDirectory(sources: ChannelDirectorySources): ChannelDirectory {
  const known = new Map<string, string>();
  const find = (channelId: string) => sources.db.collection('channels').findOne({ id: channelId }, { projection: { revoltId: 1 } });
  return {
    async revoltOf(channelId) {
      const cached = known.get(channelId);
      if (cached) return cached;
      let channel = await find(channelId);
      if (!channel) {
        const head = await sources.store.headPosition();
        if (await sources.progress.waitForPosition('channels', head, sources.config.READ_YOUR_WRITES_TIMEOUT_MS)) {
          channel = await find(channelId);
        }
      }
      if (!channel) return null;
      const revoltId = channel.revoltId.toHexString() as string;
      if (known.size >= MAX_ENTRIES) known.clear();
      known.set(channelId, revoltId);
      return revoltId;
    },
  };
}
