import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/commands/errors.ts';
import { featureGate, requireFeature } from '../../../src/commands/progress/features.ts';
import { currentLetterOf } from '../../../src/commands/progress/rules.ts';
import { courseOf, letter } from './fixtures.ts';

/** Letters 2 and 5 both unlock create_revolt, letter 4 unlocks create_invites; nothing unlocks video. */
const course = courseOf(letter(1), letter(2, { unlocks: ['create_revolt'] }), letter(3), letter(4, { unlocks: ['create_invites'] }), letter(5, { unlocks: ['create_revolt', 'screen_share'] }));

describe('feature gate', () => {
  it('a feature no published letter unlocks is open', () => {
    expect(featureGate(course, new Set(), 'video')).toEqual({ ok: true });
    expect(featureGate(courseOf(), new Set(), 'create_revolt')).toEqual({ ok: true });
  });

  it('a feature some letter unlocks is locked, naming the lowest letter that unlocks it, until one of them is completed', () => {
    expect(featureGate(course, new Set([1]), 'create_revolt')).toEqual({ ok: false, code: 'feature_locked', letterId: 2 });
    expect(featureGate(course, new Set([1, 2]), 'create_revolt')).toEqual({ ok: true });
    expect(featureGate(course, new Set([5]), 'create_revolt')).toEqual({ ok: true });
    expect(featureGate(course, new Set([1, 2]), 'create_invites')).toEqual({ ok: false, code: 'feature_locked', letterId: 4 });
  });

  it('as a rule: 403 feature_locked with the letter in the details', () => {
    let caught: unknown;
    try {
      requireFeature({ course, completedLetters: new Set([1]) }, 'screen_share');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ status: 403, code: 'feature_locked', details: { letterId: 5, feature: 'screen_share' } });
    expect(() => requireFeature({ course, completedLetters: new Set([5]) }, 'screen_share')).not.toThrow();
  });
});

describe('current letter', () => {
  it('is the lowest unlocked letter not completed; null when none is left', () => {
    const letters = [...course.letters.values()];
    expect(currentLetterOf(letters, new Set())).toBe(1);
    expect(currentLetterOf(letters, new Set([1]))).toBe(2);
    expect(currentLetterOf([letter(1), letter(2, { prerequisites: [] }), letter(3)], new Set([1]))).toBe(2);
    expect(currentLetterOf([letter(1), letter(2, { prerequisites: [] }), letter(3)], new Set([2]))).toBe(1);
    expect(currentLetterOf(letters, new Set([1, 2, 3, 4, 5]))).toBeNull();
    expect(currentLetterOf([], new Set())).toBeNull();
  });
});
