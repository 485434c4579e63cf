import { notFound } from '../errors.ts';

/**
 * The fact a write needs about a channel before it can load the aggregate that decides: the revolt it belongs to.
 * A port: the read side implements it (src/projections/channels/directory.ts) and the composition root injects it,
 * so nothing under src/commands reads a read model.
 */
export interface ChannelDirectory {
  /** The revolt `channelId` belongs to, or null when there is no such channel. */
  revoltOf(channelId: string): Promise<string | null>;
}

/** The revolt a channel belongs to, or 404. */
export async function revoltOfChannel(directory: ChannelDirectory, channelId: string): Promise<string> {
  const revoltId = await directory.revoltOf(channelId);
  if (!revoltId) throw notFound('channel');
  return revoltId;
}
