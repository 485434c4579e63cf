import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { LetterDefinition } from '../../../src/commands/course/events.ts';
import { usersReadModel } from '../../../src/projections/users/read-model.ts';
import { letter, quiz, reflection } from '../../commands/progress/fixtures.ts';
import { date, ids, time, userRegistered } from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(usersReadModel);
const ada = ids.ada;

const published = (position: number, definition: LetterDefinition, revision = 1) =>
  at(position, revision === 1 ? 'LetterPublished' : 'LetterRevised', { ...definition, revision, at: time(position) });
const retired = (position: number, letterId: number) => at(position, 'LetterRetired', { letterId, at: time(position) });
const submitted = (position: number, letterId: number, assignmentId: string, kind: 'reflection' | 'quiz', response: string | number, passed: boolean, attempts = 1) =>
  at(position, 'AssignmentSubmitted', { userId: ada, letterId, assignmentId, kind, passed, response, attempts, at: time(position) });
const completed = (position: number, letterId: number) => at(position, 'LetterCompleted', { userId: ada, letterId, at: time(position) });

/** Letters 1 (a reflection and a quiz) and 2 (after 1), and letter 3 open to all; ada registers after them. */
const course = [
  published(1, letter(1, { assignments: [reflection('reflect'), quiz('check', 1)] })),
  published(2, letter(2)),
  published(3, letter(3, { prerequisites: [] })),
];
const history = [...course, userRegistered(4)];

/** Ada's one document's letterProgress, the same after each delivery. */
const progressIs = (expected: Document) => (docs: Document[]) => {
  expect(docs).toHaveLength(1);
  expect(docs[0]!.letterProgress).toStrictEqual(expected);
};
const fresh = { completedLetters: [], currentLetter: 1, totalLetters: 30, assignments: [], lastAccessed: date(4) };

describe('users.letterProgress', () => {
  it('records each assignment by its latest submission: status, response, attempts and times; lastAccessed moves', () =>
    given(history)
      .when([submitted(5, 1, 'check', 'quiz', 0, false), submitted(6, 1, 'reflect', 'reflection', 'a long enough answer', true), submitted(7, 1, 'check', 'quiz', 1, true, 2)])
      .then(
        progressIs({
          ...fresh,
          assignments: [
            { letterId: 1, assignmentId: 'check', kind: 'quiz', status: 'passed', response: 1, attempts: 2, submittedAt: date(7), completedAt: date(7) },
            { letterId: 1, assignmentId: 'reflect', kind: 'reflection', status: 'passed', response: 'a long enough answer', attempts: 1, submittedAt: date(6), completedAt: date(6) },
          ],
          lastAccessed: date(7),
        }),
      ));

  it('a wrong answer is failed, without completedAt', () =>
    given(history)
      .when([submitted(5, 1, 'check', 'quiz', 2, false)])
      .then(progressIs({ ...fresh, assignments: [{ letterId: 1, assignmentId: 'check', kind: 'quiz', status: 'failed', response: 2, attempts: 1, submittedAt: date(5) }], lastAccessed: date(5) })));

  it('completing a letter adds it in order and moves currentLetter to the lowest unlocked letter not completed', () =>
    given(history)
      .when([completed(5, 3), completed(6, 1)])
      .then(progressIs({ ...fresh, completedLetters: [1, 3], currentLetter: 2, lastAccessed: date(6) })));

  it('the course completed sets completedAt; with no letter left currentLetter stays at the last one', () =>
    given(history)
      .when([completed(5, 1), completed(6, 2), completed(7, 3), at(8, 'CourseCompleted', { userId: ada, at: time(7) })])
      .then(progressIs({ ...fresh, completedLetters: [1, 2, 3], currentLetter: 3, completedAt: date(7), lastAccessed: date(7) })));

  it('a course change moves currentLetter of the users it concerns; one that keeps numbers and prerequisites touches none', () =>
    given([...history, completed(5, 1)])
      .when([retired(6, 2), published(7, letter(2, { title: 'Back again' }), 2), published(8, letter(2, { title: 'Renamed' }), 3)])
      .then((docs) => {
        expect(docs[0]!.letterProgress).toStrictEqual({ ...fresh, completedLetters: [1], currentLetter: 2, lastAccessed: date(5) });
        expect(docs[0]!._pos).toBe(7);
      }));

  it('letter 2 retired: currentLetter skips it', () =>
    given([...history, completed(5, 1)])
      .when([retired(6, 2)])
      .then(progressIs({ ...fresh, completedLetters: [1], currentLetter: 3, lastAccessed: date(5) })));

  it("a user registering starts at the course's first unlocked letter", () =>
    given([...course, retired(4, 1)])
      .when([userRegistered(5)])
      .then(progressIs({ ...fresh, currentLetter: 3, lastAccessed: date(5) })));
});
