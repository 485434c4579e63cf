import { z } from 'zod';

/** Internal fields never shown to clients: the Mongo `_id` (its hex is `id`) and the projection guard. */
export const HIDDEN = { _id: 0, _pos: 0 } as const;

export const limitSchema = z.coerce.number().int().min(1).max(100).default(50);

/** Text matched literally inside a `$regex` (search terms are data, not patterns). */
export const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
