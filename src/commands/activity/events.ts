import { z } from 'zod';
import { isoDate } from '../../events/ids.ts';
import type { EventsOf } from '../../events/catalogue.ts';

/**
 * The activity clock's stream (`activity-clock`): how far "now" has moved for counts over a window of time
 * (a revolt's `stats.activeMembers`: members active in the 30 days before `asOf`). A scheduled job appends one as
 * time passes, so read models count from events alone and a rebuild from position 0 gives the same numbers.
 */
export const activityEventSchemas = {
  ActivityWindowAdvanced: z.object({ asOf: isoDate }),
} as const;

export type ActivityEvent = EventsOf<typeof activityEventSchemas>;
