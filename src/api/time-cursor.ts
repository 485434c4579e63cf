import type { Document, Filter } from 'mongodb';
import type { z } from 'zod';
import { badRequest } from '../commands/errors.ts';

/** Pages newest first by (createdAt desc, id desc). */
export const NEWEST_FIRST = { createdAt: -1, id: -1 } as const;

/** The cursor after `doc` in a NEWEST_FIRST page: its (createdAt, id) pair, opaque to clients. */
export const encodeTimeCursor = (doc: Document) => Buffer.from(JSON.stringify([(doc.createdAt as Date).getTime(), doc.id])).toString('base64url');

/** The documents after the cursor in a NEWEST_FIRST page; 400 for anything this API did not return. */
export function afterTimeCursor(cursor: string, idSchema: z.ZodType<string>): Filter<Document> {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (Number.isSafeInteger(ms) && typeof id === 'string' && idSchema.safeParse(id).success) {
      const at = new Date(ms as number);
      return { $or: [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: id } }] };
    }
  } catch {
    // fall through
  }
  throw badRequest('before is not a cursor this API returned');
}
