import { z } from 'zod';
import type { EventsOf } from '../../events/catalogue.ts';
import { idSchema, isoDate } from '../../events/ids.ts';
import { achievementDefinitionSchema } from './catalogue.ts';

/**
 * Events of a user's achievements stream (`achievements-<userId>`). An unlock carries the achievement as the
 * catalogue defined it then (name, description, icon, category, requirements, rarity), so what users read of it
 * is rebuilt from the events alone, whatever the catalogue says later. `unlockedAt` is the time of the event that
 * met the requirements.
 */
export const achievementEventSchemas = {
  AchievementUnlocked: achievementDefinitionSchema.omit({ id: true }).extend({ userId: idSchema, achievementId: achievementDefinitionSchema.shape.id, unlockedAt: isoDate }),
} as const;

export type AchievementEvent = EventsOf<typeof achievementEventSchemas>;
export type AchievementUnlockedData = z.infer<(typeof achievementEventSchemas)['AchievementUnlocked']>;

export const achievementStream = (userId: string) => `achievements-${userId}`;
