import type { AchievementEvent } from './events.ts';

/** A user's unlocked achievements: id → when. */
export interface AchievementsState {
  unlocked: ReadonlyMap<string, string>;
}

export const initialAchievementsState: AchievementsState = { unlocked: new Map() };

export function evolveAchievements(state: AchievementsState, event: AchievementEvent): AchievementsState {
  return { unlocked: new Map(state.unlocked).set(event.data.achievementId, event.data.unlockedAt) };
}
