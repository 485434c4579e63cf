import { z } from 'zod';

/**
 * Internal fields never shown to clients: the Mongo `_id` (its hex is `id`), the projection guard, a user's
 * reputation ledger and the revolts they ever joined.
 */
export const HIDDEN = { _id: 0, _pos: 0, _reputation: 0, _joinedRevolts: 0 } as const;

export const limitSchema = z.coerce.number().int().min(1).max(100).default(50);

/** Text matched literally inside a `$regex` (search terms are data, not patterns). */
export const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
