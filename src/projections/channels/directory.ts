import { notFound } from '../../commands/errors.ts';
import type { Services } from '../../http/services.ts';

const MAX_ENTRIES = 50_000;
const known = new Map<string, string>();

/**
 * The revolt a channel belongs to. The mapping never changes, so it is cached for good once read from the
 * channels read model; a channel created a moment ago is waited for (bounded) rather than reported missing.
 */
export async function revoltOfChannel(services: Services, channelId: string): Promise<string | null> {
  const cached = known.get(channelId);
  if (cached) return cached;
  const find = () => services.db.collection('channels').findOne({ id: channelId }, { projection: { revoltId: 1 } });
  let channel = await find();
  if (!channel) {
    const head = await services.store.headPosition();
    if (await services.progress.waitForPosition('channels', head, services.config.READ_YOUR_WRITES_TIMEOUT_MS)) {
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
export async function channelRevolt(services: Services, channelId: string): Promise<string> {
  const revoltId = await revoltOfChannel(services, channelId);
  if (!revoltId) throw notFound('channel');
  return revoltId;
}
