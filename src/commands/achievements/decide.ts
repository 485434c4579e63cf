import type { Decider } from '../decider.ts';
import { ruleBroken } from '../errors.ts';
import { achievementById } from './catalogue.ts';
import type { UnlockAchievement } from './commands.ts';
import type { AchievementEvent } from './events.ts';
import { evolveAchievements, initialAchievementsState, type AchievementsState } from './state.ts';

/** Once per user and achievement: unlocking one already unlocked decides nothing. */
export const achievementsDecider: Decider<UnlockAchievement, AchievementsState, AchievementEvent> = {
  initialState: initialAchievementsState,
  evolve: evolveAchievements,
  decide(command, state) {
    const achievement = achievementById(command.achievementId);
    if (!achievement) throw ruleBroken('unknown_achievement', `no achievement ${command.achievementId} in the catalogue`);
    if (state.unlocked.has(command.achievementId)) return [];
    const { id, ...definition } = achievement;
    return [{ type: 'AchievementUnlocked', data: { ...definition, userId: command.userId, achievementId: id, unlockedAt: command.unlockedAt } }];
  },
};
