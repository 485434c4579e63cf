import { describe, expect, it } from 'vitest';
import { achievementById } from '../../../src/commands/achievements/catalogue.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { usersReadModel } from '../../../src/projections/users/read-model.ts';
import { date, ids, time, userRegistered } from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';
import { founderUnlocked } from '../../support/achievements.ts';

const { given } = readModelScenarios(usersReadModel);

function unlocked(position: number, achievementId: string, userId = ids.ada): RecordedEvent {
  const { id, ...definition } = achievementById(achievementId)!;
  return at(position, 'AchievementUnlocked', { ...definition, userId, achievementId: id, unlockedAt: time(position) });
}

describe('users read model: achievements', () => {
  it('embeds each unlocked achievement as the seed shapes it, in the order unlocked, dated by the unlock', () =>
    given([userRegistered(1), userRegistered(2, { userId: ids.bob, email: 'bob@example.com', username: 'bob' })])
      .when([unlocked(3, 'founder'), unlocked(4, 'first_words', ids.bob), unlocked(5, 'first_words')])
      .then((users, how) => {
        expect(users.map((user) => [user.id, user.achievements, user._pos]), how).toEqual([
          [
            ids.ada,
            [
              founderUnlocked(date(3)),
              { ...achievementById('first_words')!, unlockedAt: date(5) },
            ],
            5,
          ],
          [ids.bob, [{ ...achievementById('first_words')!, unlockedAt: date(4) }], 4],
        ]);
      }));
});
