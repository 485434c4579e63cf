import { describe, expect, it } from 'vitest';
import type { FeatureAccess } from '../../../src/commands/progress/features.ts';
import { revoltDecider, type RevoltCommand } from '../../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../../src/commands/revolts/events.ts';
import { given } from '../../support/decider.ts';
import { UNGATED } from '../../support/features.ts';
import { courseOf, createRevolt as create, letter, R, USER } from './fixtures.ts';

/** Letter 2 unlocks creating a revolt, letter 3 creating invites. */
const course = courseOf(letter(1), letter(2, { unlocks: ['create_revolt'] }), letter(3, { unlocks: ['create_invites'] }));
const standing = (...completed: number[]): FeatureAccess => ({ course, completedLetters: new Set(completed) });

const regenerate = (features: FeatureAccess): RevoltCommand => ({ type: 'RegenerateInvite', actorId: USER, inviteCode: 'NEWCODE1', features });

describe('features gated by the course in the revolt decider', () => {
  it('creating a revolt is refused until the letter that unlocks it is completed', () => {
    given(revoltDecider).when(create(standing(1))).thenFails(403, 'feature_locked');
    given(revoltDecider).when(create(standing(1, 2))).then((events) => expect(events[0]?.type).toBe('RevoltCreated'));
    given(revoltDecider).when(create(UNGATED)).then((events) => expect(events[0]?.type).toBe('RevoltCreated'));
  });

  it('making an invite is refused until the letter that unlocks it is completed, after the permission check', () => {
    const created = revoltDecider.decide(create(UNGATED), revoltDecider.initialState) as RevoltEvent[];
    given(revoltDecider, created).when(regenerate(standing(1, 2))).thenFails(403, 'feature_locked');
    given(revoltDecider, created).when(regenerate(standing(1, 2, 3))).then([{ type: 'InviteCodeSet', data: { revoltId: R, inviteCode: 'NEWCODE1', previousCode: 'INVITE01' } }]);
    const stranger: RevoltCommand = { type: 'RegenerateInvite', actorId: '9'.repeat(24), inviteCode: 'NEWCODE2', features: standing() };
    given(revoltDecider, created).when(stranger).thenFails(403, 'forbidden');
  });
});
