import type { Document, Filter } from 'mongodb';
import type { z } from 'zod';
import { badRequest } from '../commands/errors.ts';

/** Pages newest first by (createdAt desc, id desc). */
export const NEWEST_FIRST = { createdAt: -1, id: -1 } as const;

/** The cursor after `doc` in a NEWEST_FIRST page: its (createdAt, id) pair, opaque to clients. */
export const encodeTimeCursor = (doc: Document) => Buffer.from(JSON.stringify([(doc.createdAt as Date).getTime(), doc.id])).toString('base64url');

/** The (createdAt, id) place a cursor names; 400 for anything this API did not return. */
export function decodeTimeCursor(cursor: string, idSchema: z.ZodType<string>): { createdAt: Date; id: string } {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    const createdAt = new Date(Number.isSafeInteger(ms) ? (ms as number) : Number.NaN);
    if (!Number.isNaN(createdAt.getTime()) && typeof id === 'string' && idSchema.safeParse(id).success) return { createdAt, id };
  } catch {
    // fall through
  }
  throw badRequest('before is not a cursor this API returned');
}

/** The documents after the cursor in a NEWEST_FIRST page; 400 for anything this API did not return. */
export function afterTimeCursor(cursor: string, idSchema: z.ZodType<string>): Filter<Document> {
  const { createdAt: at, id } = decodeTimeCursor(cursor, idSchema);
  return { $or: [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: id } }] };
}
