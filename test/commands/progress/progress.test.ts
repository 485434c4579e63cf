import { describe, expect, it } from 'vitest';
import { evolveCourse } from '../../../src/commands/course/state.ts';
import type { ProgressCommand } from '../../../src/commands/progress/commands.ts';
import { progressDecider } from '../../../src/commands/progress/decide.ts';
import type { ProgressEvent } from '../../../src/commands/progress/events.ts';
import { given } from '../../support/decider.ts';
import { at, courseOf, letter, quiz, reflection, USER } from './fixtures.ts';

/** Letter 1 (a reflection of at least 10 characters, a quiz whose answer is option 1, an optional quiz), 2 after 1, 3 after 1 and 2. */
const course = courseOf(
  letter(1, { assignments: [reflection('reflect', 10), quiz('check', 1), quiz('bonus', 0, false)] }),
  letter(2),
  letter(3, { prerequisites: [1, 2] }),
);

const submit = (letterId: number, assignmentId: string, response: string | number): ProgressCommand => ({
  type: 'SubmitAssignment',
  userId: USER,
  course,
  letterId,
  assignmentId,
  response,
  at,
});
const complete = (letterId: number, over = course): ProgressCommand => ({ type: 'CompleteLetter', userId: USER, course: over, letterId, at });

const submitted = (letterId: number, assignmentId: string, kind: 'reflection' | 'quiz', response: string | number, passed: boolean, attempts = 1): ProgressEvent => ({
  type: 'AssignmentSubmitted',
  data: { userId: USER, letterId, assignmentId, kind, passed, response, attempts, at },
});
const completed = (letterId: number): ProgressEvent => ({ type: 'LetterCompleted', data: { userId: USER, letterId, at } });
/** Letter 1's required assignments passed. */
const letter1Passed = [submitted(1, 'reflect', 'reflection', 'a long enough answer', true), submitted(1, 'check', 'quiz', 1, true)];

describe('progress: submitting an assignment', () => {
  it('a reflection of at least minLength characters passes, recorded trimmed', () => {
    given(progressDecider).when(submit(1, 'reflect', '  a long enough answer  ')).then([submitted(1, 'reflect', 'reflection', 'a long enough answer', true)]);
  });

  it('a reflection shorter than minLength (once trimmed) is refused, not recorded', () => {
    given(progressDecider).when(submit(1, 'reflect', '    short    ')).thenFails(422, 'reflection_too_short');
    given(progressDecider).when(submit(1, 'reflect', 3)).thenFails(400, 'invalid_request');
  });

  it('a quiz answered wrong is recorded as not passed; attempts count every submission', () => {
    given(progressDecider).when(submit(1, 'check', 0)).then([submitted(1, 'check', 'quiz', 0, false)]);
    given(progressDecider, [submitted(1, 'check', 'quiz', 0, false)]).when(submit(1, 'check', 1)).then([submitted(1, 'check', 'quiz', 1, true, 2)]);
  });

  it('a quiz response must be the index of one of its options', () => {
    given(progressDecider).when(submit(1, 'check', 3)).thenFails(400, 'invalid_request');
    given(progressDecider).when(submit(1, 'check', 'b')).thenFails(400, 'invalid_request');
  });

  it('an unknown or retired letter and an unknown assignment are not found', () => {
    given(progressDecider).when(submit(9, 'reflect', 'a long enough answer')).thenFails(404, 'not_found');
    given(progressDecider).when(submit(1, 'nope', 'a long enough answer')).thenFails(404, 'not_found');
    const retired = evolveCourse(course, { type: 'LetterRetired', data: { letterId: 1, at } });
    given(progressDecider).when({ ...submit(1, 'reflect', 'a long enough answer'), course: retired } as ProgressCommand).thenFails(404, 'not_found');
  });

  it('a locked letter refuses submissions (before saying whether the assignment exists)', () => {
    given(progressDecider).when(submit(2, 'reflect', 'a long enough answer')).thenFails(403, 'letter_locked');
    given(progressDecider).when(submit(2, 'nope', 'a long enough answer')).thenFails(403, 'letter_locked');
    given(progressDecider, [...letter1Passed, completed(1)]).when(submit(3, 'reflect', 'a long enough answer')).thenFails(403, 'letter_locked');
  });

  it('a completed letter takes no more submissions', () => {
    given(progressDecider, [...letter1Passed, completed(1)]).when(submit(1, 'check', 0)).thenFails(409, 'letter_completed');
  });
});

describe('progress: completing a letter', () => {
  it('needs every required assignment passed, optional ones not', () => {
    given(progressDecider).when(complete(1)).thenFails(422, 'assignments_incomplete');
    given(progressDecider, [letter1Passed[0]!]).when(complete(1)).thenFails(422, 'assignments_incomplete');
    given(progressDecider, letter1Passed).when(complete(1)).then([completed(1)]);
  });

  it('the latest submission counts: a right answer followed by a wrong one is not passed', () => {
    const regressed = [...letter1Passed, submitted(1, 'check', 'quiz', 2, false, 2)];
    given(progressDecider, regressed).when(complete(1)).thenFails(422, 'assignments_incomplete');
  });

  it('names the required assignments still missing', () => {
    let missing: unknown;
    try {
      progressDecider.decide(complete(1), given(progressDecider, [letter1Passed[0]!]).state);
    } catch (error) {
      missing = (error as { details: unknown }).details;
    }
    expect(missing).toEqual({ missing: ['check'] });
  });

  it('completing twice changes nothing', () => {
    given(progressDecider, [...letter1Passed, completed(1)]).when(complete(1)).then([]);
  });

  it('a locked letter cannot be completed; an unknown one is not found', () => {
    given(progressDecider).when(complete(2)).thenFails(403, 'letter_locked');
    given(progressDecider).when(complete(7)).thenFails(404, 'not_found');
  });

  it('completing the last letter of the course completes the course, once', () => {
    const small = courseOf(letter(1), letter(2));
    const reflect = (n: number) => submitted(n, 'reflect', 'reflection', 'a long enough answer', true);
    given(progressDecider, [reflect(1)]).when(complete(1, small)).then([completed(1)]);
    given(progressDecider, [reflect(1), completed(1), reflect(2)])
      .when(complete(2, small))
      .then([completed(2), { type: 'CourseCompleted', data: { userId: USER, at } }]);
    // A letter published after the course was completed: completing it does not complete the course again.
    const grown = courseOf(letter(1), letter(2), letter(3));
    const done: ProgressEvent[] = [reflect(1), completed(1), reflect(2), completed(2), { type: 'CourseCompleted', data: { userId: USER, at } }, reflect(3)];
    given(progressDecider, done).when(complete(3, grown)).then([completed(3)]);
  });
});
