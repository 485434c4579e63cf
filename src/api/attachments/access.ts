import { mayReadChannel } from '../../commands/permissions/reading.ts';
import type { RevoltState } from '../../commands/revolts/state.ts';
import type { Services } from '../../http/services.ts';
import { loadRevolt } from '../revolts/access.ts';

/** How long a download waits for the messages read model when the carrying message may be newer than it. */
const CATCH_UP_MS = 2000;
/** Messages carrying one attachment looked at, at most (an author may post the same file in a few places). */
const MAX_CARRIERS = 20;

/**
 * Who may download an attachment: its uploader, and whoever may read a message (not deleted) that carries it,
 * judged by the revolt as it is now. Anyone else is told it does not exist.
 */
export async function mayDownload(services: Services, attachment: { attachmentId: string; uploaderId: string }, userId: string): Promise<boolean> {
  if (attachment.uploaderId === userId) return true;
  if (await readableCarrier(services, attachment.attachmentId, userId)) return true;
  // A client fetching a file the gateway just delivered may be ahead of the read model: wait for it once.
  const caughtUp = await services.progress.waitForPosition('messages', await services.store.headPosition(), CATCH_UP_MS);
  return caughtUp && readableCarrier(services, attachment.attachmentId, userId);
}

async function readableCarrier(services: Services, attachmentId: string, userId: string): Promise<boolean> {
  const carriers = await services.db
    .collection('messages')
    .find({ 'attachments.id': attachmentId, isDeleted: false }, { projection: { revoltId: 1, channelId: 1 } })
    .limit(MAX_CARRIERS)
    .toArray();
  const revolts = new Map<string, Promise<RevoltState | null>>();
  for (const carrier of carriers) {
    const revoltId = carrier.revoltId.toHexString();
    if (!revolts.has(revoltId)) revolts.set(revoltId, loadRevolt(services, revoltId).catch(() => null));
    const revolt = await revolts.get(revoltId)!;
    if (revolt && mayReadChannel(revolt, userId, carrier.channelId.toHexString())) return true;
  }
  return false;
}
