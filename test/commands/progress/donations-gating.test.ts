import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/commands/decider.ts';
import { donationDecider, type DonationCommand } from '../../../src/commands/donations/decide.ts';
import type { FeatureAccess } from '../../../src/commands/progress/features.ts';
import { revoltDecider, type RevoltCommand } from '../../../src/commands/revolts/decide.ts';
import type { RevoltEvent, RevoltSettings } from '../../../src/commands/revolts/events.ts';
import type { RevoltState } from '../../../src/commands/revolts/state.ts';
import { given } from '../../support/decider.ts';
import { UNGATED } from '../../support/features.ts';
import { at, courseOf, createRevolt as create, letter, R, USER } from './fixtures.ts';

/** Letter 2 unlocks enabling donations. */
const course = courseOf(letter(1), letter(2, { unlocks: ['enable_donations'] }));
const standing = (...completed: number[]): FeatureAccess => ({ course, completedLetters: new Set(completed) });

const DONOR = '2'.repeat(24);
const created = (features: FeatureAccess, settings: Partial<RevoltSettings> = {}) =>
  revoltDecider.decide(create(features, settings), revoltDecider.initialState) as RevoltEvent[];
const settingsOf = (events: RevoltEvent[]) => fold(revoltDecider, events).settings;
const turnDonations = (on: boolean, features: FeatureAccess, actorId = USER): RevoltCommand => ({
  type: 'UpdateRevolt',
  actorId,
  changes: { settings: { donationsEnabled: on } },
  features,
  at,
});
const requestPledge = (revolt: RevoltState): DonationCommand => ({ type: 'RequestPledge', revolt, donorId: DONOR, amount: 500, currency: 'usd', isAnonymous: false, at });

describe('enabling donations is the feature enable_donations', () => {
  it('a new revolt accepts donations when its owner has the feature; asking for them without it is refused', () => {
    expect(settingsOf(created(standing(1))).donationsEnabled).toBe(false);
    expect(settingsOf(created(standing(1, 2))).donationsEnabled).toBe(true);
    expect(settingsOf(created(UNGATED)).donationsEnabled).toBe(true);
    given(revoltDecider).when(create(standing(1), { donationsEnabled: true })).thenFails(403, 'feature_locked');
    expect(() => revoltDecider.decide(create(standing(), { donationsEnabled: true }), revoltDecider.initialState)).toThrow(
      expect.objectContaining({ details: { letterId: 2, feature: 'enable_donations' } }),
    );
    expect(settingsOf(created(standing(1), { donationsEnabled: false })).donationsEnabled).toBe(false);
  });

  it('turning donations on in the settings is refused until the letter is completed, after the permission check', () => {
    const off = created(standing(1));
    given(revoltDecider, off).when(turnDonations(true, standing(1))).thenFails(403, 'feature_locked');
    given(revoltDecider, off).when(turnDonations(true, standing(1, 2))).then([
      { type: 'RevoltUpdated', data: { revoltId: R, changes: { settings: { donationsEnabled: true } }, updatedAt: at } },
    ]);
    given(revoltDecider, off).when(turnDonations(true, standing(1, 2), '9'.repeat(24))).thenFails(403, 'forbidden');
  });

  it('turning them off, or on when they are on already, needs no feature', () => {
    const on = created(standing(1, 2));
    given(revoltDecider, on).when(turnDonations(false, standing())).then((events) => expect(events[0]?.type).toBe('RevoltUpdated'));
    given(revoltDecider, on).when(turnDonations(true, standing())).then((events) => expect(events[0]?.type).toBe('RevoltUpdated'));
  });

  it('a revolt with donations off refuses pledges; one created before the setting accepts them', () => {
    const off = created(standing(1));
    given(donationDecider).when(requestPledge(fold(revoltDecider, off))).thenFails(422, 'donations_disabled');
    const on = [...off, ...revoltDecider.decide(turnDonations(true, standing(1, 2)), fold(revoltDecider, off))];
    given(donationDecider).when(requestPledge(fold(revoltDecider, on))).then([]);
    const [first, ...rest] = created(UNGATED);
    if (first?.type !== 'RevoltCreated') throw new Error('expected RevoltCreated first');
    const legacy: RevoltEvent[] = [{ ...first, data: { ...first.data, settings: { ...first.data.settings, donationsEnabled: undefined } } }, ...rest];
    given(donationDecider).when(requestPledge(fold(revoltDecider, legacy))).then([]);
  });
});
