import { ObjectId } from 'mongodb';
import { z } from 'zod';

/** IDs are ObjectId hex strings generated at command time: time-ordered, and the read models' `_id`. */
export const newId = (): string => new ObjectId().toHexString();
export const idSchema = z.string().regex(/^[0-9a-f]{24}$/, 'an id is 24 lowercase hex characters');
export const isoDate = z.iso.datetime();
