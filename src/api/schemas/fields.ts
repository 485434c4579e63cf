import type { ObjectId } from 'mongodb';
import { z } from 'zod';

/**
 * Field types of the representations: what a handler holds (a read-model document's ObjectId or Date) and what
 * the client gets (its hex string, an ISO 8601 date-time). The serializer writes them; the JSON Schema says so.
 */
export const objectId = z.custom<ObjectId | string>().meta({ type: 'string', pattern: '^[0-9a-f]{24}$', description: 'a 24-hex-digit id' });
export const timestamp = z.custom<Date | string>().meta({ type: 'string', format: 'date-time' });

/** A page of a list: its items, and the cursor of the next page (null on the last). */
export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: z.string().nullable() });
/** A whole (bounded) list. */
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** The answer of a command with nothing to show (204). */
export const noContent = z.undefined().describe('No Content');
