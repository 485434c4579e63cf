import { createHash } from 'node:crypto';

/** An ObjectId hex: the time's second, then 8 bytes of a digest of `parts` (the same parts, the same id). */
function derivedObjectId(at: string, ...parts: string[]): string {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(new Date(at).getTime() / 1000) >>> 0);
  createHash('sha256').update(parts.join('\n')).digest().copy(id, 4, 0, 8);
  return id.toString('hex');
}

/** A batch's id, from what caused it (the triggering event's id, and a key telling apart the batches of one event). */
export const batchIdOf = (causeId: string, key: string, at: string): string => derivedObjectId(at, 'notification-batch', causeId, key);

/** One recipient's notification of a batch: every rebuild of the read model gives it the same id. */
export const notificationIdOf = (batchId: string, userId: string, at: string): string => derivedObjectId(at, 'notification', batchId, userId);
