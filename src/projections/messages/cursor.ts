import type { Document, Filter } from 'mongodb';

export const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;
export const OLDEST_FIRST = { createdAt: 1, _id: 1 } as const;

/** Messages strictly older (`$lt`) or newer (`$gt`) than the anchor, ordered by (createdAt, _id). */
export function beyond(anchor: Document, op: '$lt' | '$gt'): Filter<Document> {
  return { $or: [{ createdAt: { [op]: anchor.createdAt } }, { createdAt: anchor.createdAt, _id: { [op]: anchor._id } }] };
}
