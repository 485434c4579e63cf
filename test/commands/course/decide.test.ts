import { describe, expect, it } from 'vitest';
import { courseDecider } from '../../../src/commands/course/decide.ts';
import { courseEventSchemas, letterDefinitionSchema } from '../../../src/commands/course/events.ts';
import { isLetterUnlocked } from '../../../src/commands/course/state.ts';
import { given } from '../../support/decider.ts';
import { at, auditor, later, letter, operator, published, quiz, retired, revised } from './fixtures.ts';

const course = given(courseDecider, [published(letter(1)), published(letter(2))]);

describe('course: publish', () => {
  it('an operator publishes a letter whose prerequisites are published: revision 1', () =>
    course.when({ type: 'Publish', letter: letter(3), actor: operator, at: later }).then([published(letter(3), 1, later)]));

  it('only operators change the course', () => {
    course.when({ type: 'Publish', letter: letter(3), actor: auditor, at }).thenFails(403, 'forbidden');
    course.when({ type: 'Retire', letterId: 2, actor: { roles: new Set() }, at }).thenFails(403, 'forbidden');
  });

  it('a published number is taken', () => course.when({ type: 'Publish', letter: letter(2), actor: operator, at }).thenFails(409, 'letter_exists'));

  it('every prerequisite must be published', () =>
    course.when({ type: 'Publish', letter: letter(5, { prerequisites: [1, 4] }), actor: operator, at }).thenFails(422, 'invalid_course'));

  it('a retired letter can be published again; its revisions continue', () =>
    given(courseDecider, [published(letter(1)), revised(letter(1, { title: 'Again' }), 2), retired(1)])
      .when({ type: 'Publish', letter: letter(1), actor: operator, at: later })
      .then([published(letter(1), 3, later)]));
});

describe('course: revise', () => {
  it('a revision lays the changes over the letter and counts up', () =>
    course
      .when({ type: 'Revise', letterId: 2, changes: { title: 'Finding your purpose', estimatedReadTime: 4 }, actor: operator, at: later })
      .then([revised(letter(2, { title: 'Finding your purpose', estimatedReadTime: 4 }), 2)]));

  it('a revision that changes nothing appends nothing', () =>
    course.when({ type: 'Revise', letterId: 2, changes: { title: 'Letter 2', prerequisites: [1] }, actor: operator, at: later }).then([]));

  it('an unpublished letter cannot be revised', () =>
    course.when({ type: 'Revise', letterId: 9, changes: { title: 'x' }, actor: operator, at }).thenFails(404, 'not_found'));

  it('the revised letter is checked as a whole: fewer options than the quiz answer needs is refused', () =>
    course.when({ type: 'Revise', letterId: 2, changes: { assignments: [{ ...quiz, options: ['a', 'b'] }] }, actor: operator, at }).thenFails(422, 'invalid_letter'));

  it('a revision may not close a circle of prerequisites', () =>
    course.when({ type: 'Revise', letterId: 1, changes: { prerequisites: [2] }, actor: operator, at }).thenFails(422, 'invalid_course'));
});

describe('course: retire', () => {
  it('retires a letter no other letter needs', () => course.when({ type: 'Retire', letterId: 2, actor: operator, at: later }).then([retired(2)]));

  it('a letter another one needs cannot be retired', () => course.when({ type: 'Retire', letterId: 1, actor: operator, at }).thenFails(422, 'letter_required'));

  it('an unpublished letter cannot be retired', () => course.when({ type: 'Retire', letterId: 7, actor: operator, at }).thenFails(404, 'not_found'));

  it('a retired letter is no longer in the course', () => {
    const state = given(courseDecider, [published(letter(1)), published(letter(2)), retired(2)]).state;
    expect([...state.letters.keys()]).toEqual([1]);
    expect(state.revisions.get(2)).toBe(1);
  });
});

describe('course: import', () => {
  it('publishes new letters and revises changed ones in one decision, in number order; unchanged ones append nothing', () =>
    course
      .when({ type: 'Import', letters: [letter(4, { prerequisites: [3] }), letter(3), letter(2, { content: 'New text.' }), letter(1)], actor: operator, at: later })
      .then([revised(letter(2, { content: 'New text.' }), 2), published(letter(3), 1, later), published(letter(4, { prerequisites: [3] }), 1, later)]));

  it('the same letters again append nothing', () => course.when({ type: 'Import', letters: [letter(2), letter(1)], actor: operator, at: later }).then([]));

  it('prerequisites may be published by the same import, but must exist', () => {
    given(courseDecider).when({ type: 'Import', letters: [letter(2), letter(1)], actor: operator, at }).then((events) => expect(events).toHaveLength(2));
    given(courseDecider).when({ type: 'Import', letters: [letter(2), letter(3)], actor: operator, at }).thenFails(422, 'invalid_course');
  });

  it('refuses cycles, including a letter that needs itself', () => {
    given(courseDecider).when({ type: 'Import', letters: [letter(1, { prerequisites: [3] }), letter(2), letter(3)], actor: operator, at }).thenFails(422, 'invalid_course');
    given(courseDecider).when({ type: 'Import', letters: [letter(1, { prerequisites: [1] })], actor: operator, at }).thenFails(422, 'invalid_course');
  });

  it('refuses a letter given twice', () => given(courseDecider).when({ type: 'Import', letters: [letter(1), letter(1)], actor: operator, at }).thenFails(422, 'invalid_course'));
});

describe('letter definitions (zod)', () => {
  const fails = (changes: object) => expect(letterDefinitionSchema.safeParse({ ...letter(2), ...changes }).success).toBe(false);

  it('accepts a whole letter', () => expect(letterDefinitionSchema.parse(letter(2))).toEqual(letter(2)));

  it('numbers are 1 to 30', () => {
    fails({ letterId: 0 });
    fails({ letterId: 31 });
    fails({ letterId: 2.5 });
    fails({ prerequisites: [31] });
  });

  it('a quiz answer indexes one of its options', () => {
    fails({ assignments: [{ ...quiz, answer: 3 }] });
    fails({ assignments: [{ ...quiz, answer: -1 }] });
    expect(letterDefinitionSchema.safeParse({ ...letter(2), assignments: [{ ...quiz, answer: 0 }] }).success).toBe(true);
  });

  it('one to three assignments with distinct ids, known kinds and features, no self prerequisite', () => {
    fails({ assignments: [] });
    fails({ assignments: [quiz, { ...quiz, id: 'b' }, { ...quiz, id: 'c' }, { ...quiz, id: 'd' }] });
    fails({ assignments: [quiz, quiz] });
    fails({ assignments: [{ ...quiz, kind: 'essay' }] });
    fails({ unlocks: ['teleport'] });
    fails({ unlocks: ['video', 'video'] });
    fails({ prerequisites: [2] });
    fails({ book: 'epilogue' });
    fails({ secret: true });
  });

  it('the events carry the same rules', () => {
    expect(courseEventSchemas.LetterPublished.safeParse({ ...letter(2), revision: 1, at }).success).toBe(true);
    expect(courseEventSchemas.LetterRevised.safeParse({ ...letter(2), assignments: [{ ...quiz, answer: 5 }], revision: 2, at }).success).toBe(false);
  });
});

describe('unlocking', () => {
  it('a letter is unlocked when every prerequisite is completed', () => {
    expect(isLetterUnlocked(letter(1), [])).toBe(true);
    expect(isLetterUnlocked(letter(5, { prerequisites: [4, 2] }), [4])).toBe(false);
    expect(isLetterUnlocked(letter(5, { prerequisites: [4, 2] }), new Set([2, 4, 9]))).toBe(true);
  });
});
