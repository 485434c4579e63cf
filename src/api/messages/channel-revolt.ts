import type { RevoltState } from '../../commands/revolts/state.ts';
import type { Services } from '../../http/services.ts';
import { channelRevolt } from '../../projections/channels/directory.ts';
import { loadRevolt } from '../../projections/revolts/access.ts';

/** The revolt a channel belongs to, from the event store (404 if none): the facts a message command is decided against. */
export async function revoltOfChannelState(services: Services, channelId: string): Promise<RevoltState> {
  return loadRevolt(services, await channelRevolt(services, channelId));
}
