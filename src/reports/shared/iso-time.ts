import { z } from 'zod';

/** An ISO 8601 time with an offset, of a date that exists (zod's pattern knows each month's days and leap years). */
export const isoDateTime = z.iso.datetime({ offset: true });
/** The same, as the UTC ISO string the reports compare with. */
export const isoTime = isoDateTime.transform((t) => new Date(t).toISOString());
