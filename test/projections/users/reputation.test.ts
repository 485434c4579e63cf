import { describe, expect, it } from 'vitest';
import { applyCredits, dayPoints, emptyLedger, REPUTATION_RULES, type ReputationCredit, type ReputationSource } from '../../../src/projections/users/reputation.ts';

const ada = '1'.repeat(24);
let position = 0;
const credit = (source: ReputationSource, units: number, day = '2026-01-01'): ReputationCredit => ({ userId: ada, source, units, day, position: ++position });
const fold = (credits: ReputationCredit[]) => applyCredits({ reputation: 0, ledger: emptyLedger() }, credits);

describe('reputation', () => {
  it('a source is worth its points per unit, up to its daily cap either way', () => {
    expect(dayPoints('reactions', 7)).toBe(7);
    expect(dayPoints('reactions', 500)).toBe(REPUTATION_RULES.reactions.dailyCap);
    expect(dayPoints('reactions', -500)).toBe(-REPUTATION_RULES.reactions.dailyCap);
    expect(dayPoints('letters', 2)).toBe(20);
    expect(dayPoints('donations', 2499)).toBe(4);
    expect(dayPoints('donations', -2499)).toBe(-4);
  });

  it('units of one day net out before they are worth anything', () => {
    expect(fold([credit('reactions', 1), credit('reactions', -1), credit('reactions', 1), credit('reactions', -1)]).reputation).toBe(0);
    expect(fold([credit('donations', 400), credit('donations', 400)]).reputation).toBe(1);
  });

  it('each day and each source has its own cap', () => {
    const credits = [
      ...Array.from({ length: 30 }, () => credit('reactions', 1)),
      ...Array.from({ length: 30 }, () => credit('reactions', 1, '2026-01-02')),
      ...Array.from({ length: 30 }, () => credit('members', 1, '2026-01-02')),
    ];
    expect(fold(credits).reputation).toBe(20 + 20 + 20);
  });

  it('a credit dated before the day a source has reached counts on that day (days never reopen)', () => {
    const credits = [...Array.from({ length: 20 }, () => credit('reactions', 1, '2026-01-02')), credit('reactions', 5, '2026-01-01')];
    const { reputation, ledger } = fold(credits);
    expect(reputation).toBe(20);
    expect(ledger.days.reactions).toEqual({ day: '2026-01-02', net: 25 });
  });

  it('never goes below zero', () => {
    expect(fold([credit('reactions', 2), credit('reactions', -5, '2026-01-02')]).reputation).toBe(0);
  });

  it('credits at or before the ledger position are not applied again', () => {
    const first = fold([credit('letters', 1), credit('letters', 1)]);
    const again = applyCredits(first, [{ ...credit('letters', 1), position: first.ledger.pos }]);
    expect(again).toEqual(first);
    expect(first.reputation).toBe(20);
  });
});
