import { describe, it } from 'vitest';
import { achievementById } from '../../../src/commands/achievements/catalogue.ts';
import type { UnlockAchievement } from '../../../src/commands/achievements/commands.ts';
import { achievementsDecider } from '../../../src/commands/achievements/decide.ts';
import type { AchievementEvent } from '../../../src/commands/achievements/events.ts';
import { given } from '../../support/decider.ts';

const ada = '1'.repeat(24);
const at = '2026-01-01T00:00:00.000Z';
const later = '2026-02-01T00:00:00.000Z';

const unlock = (achievementId: string, unlockedAt = at): UnlockAchievement => ({ type: 'UnlockAchievement', userId: ada, achievementId, unlockedAt });

function unlocked(achievementId: string, unlockedAt = at): AchievementEvent {
  const { id, ...definition } = achievementById(achievementId)!;
  return { type: 'AchievementUnlocked', data: { ...definition, userId: ada, achievementId: id, unlockedAt } };
}

describe('achievements decider', () => {
  it('unlocks an achievement with what the catalogue says of it, at the time given', () => {
    given(achievementsDecider)
      .when(unlock('founder'))
      .then([
        {
          type: 'AchievementUnlocked',
          data: {
            userId: ada,
            achievementId: 'founder',
            name: 'Founder',
            description: 'Started a revolt.',
            icon: '🏴',
            category: 'leadership',
            requirements: [{ type: 'revoltsCreated', value: 1, description: 'Found 1 revolt' }],
            rarity: 'common',
            unlockedAt: at,
          },
        },
      ]);
  });

  it('unlocks each achievement once: a second unlock decides nothing, whenever it comes', () => {
    given(achievementsDecider, [unlocked('founder')]).when(unlock('founder', later)).then([]);
    given(achievementsDecider, [unlocked('founder')]).when(unlock('first_words', later)).then([unlocked('first_words', later)]);
  });

  it('refuses an achievement the catalogue does not have', () => {
    given(achievementsDecider).when(unlock('no_such_thing')).thenFails(422, 'unknown_achievement');
  });
});
