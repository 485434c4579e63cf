import { ObjectId, type Collection, type Document } from 'mongodb';
import type { AchievementEvent } from '../../commands/achievements/events.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { updateGuarded } from '../engine/guard.ts';

export type AchievementUnlockedEvent = RecordedEvent & AchievementEvent;

/**
 * `users.achievements`: the seed's Achievement (`{id, name, description, icon, category, requirements, unlockedAt,
 * rarity}`) appended in the order they were unlocked, as the event recorded it. The decider unlocks each once per
 * user; the write is guarded by the event's position.
 */
export async function applyAchievementToUser(users: Collection, event: AchievementUnlockedEvent): Promise<void> {
  const { userId, achievementId, name, description, icon, category, requirements, unlockedAt, rarity } = event.data;
  const achievement = { id: achievementId, name, description, icon, category, requirements, unlockedAt: new Date(unlockedAt), rarity };
  await updateGuarded(users, { _id: new ObjectId(userId) }, { $push: { achievements: achievement } } as Document, event.position);
}
