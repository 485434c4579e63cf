import { ObjectId, type Document } from 'mongodb';
import { describe, it } from 'vitest';
import type { LetterDefinition } from '../../../src/commands/course/events.ts';
import { lettersReadModel } from '../../../src/projections/letters/read-model.ts';
import { letter, quiz, reflection } from '../../commands/course/fixtures.ts';
import { date, time } from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(lettersReadModel);

const published = (position: number, definition: LetterDefinition, revision = 1) => at(position, 'LetterPublished', { ...definition, revision, at: time(position) });
const revised = (position: number, definition: LetterDefinition, revision: number) => at(position, 'LetterRevised', { ...definition, revision, at: time(position) });
const retired = (position: number, letterId: number) => at(position, 'LetterRetired', { letterId, at: time(position) });

const shownQuiz = { id: quiz.id, kind: 'quiz', question: quiz.question, options: quiz.options, required: quiz.required };

/** Letter n's document as published at minute `p`, with `changes` laid over it. */
const doc = (n: number, p: number, changes: Document = {}) => ({
  _id: new ObjectId(n.toString(16).padStart(24, '0')),
  id: n,
  title: `Letter ${n}`,
  content: `The text of letter ${n}.`,
  book: 'awakening',
  order: n,
  assignments: [reflection, shownQuiz],
  prerequisites: n === 1 ? [] : [n - 1],
  unlocks: [],
  estimatedReadTime: 3,
  isUnlocked: n === 1,
  revision: 1,
  createdAt: date(p),
  updatedAt: date(p),
  _pos: p,
  ...changes,
});

describe('letters read model', () => {
  it('LetterPublished writes every seed field, the quiz without its answer; isUnlocked for a letter without prerequisites', () =>
    given()
      .when([published(1, letter(1)), published(2, letter(2, { unlocks: ['create_revolt'] }))])
      .then([doc(1, 1), doc(2, 2, { unlocks: ['create_revolt'] })]));

  it('LetterRevised replaces the letter and keeps createdAt', () =>
    given([published(1, letter(1))])
      .when([revised(2, letter(1, { title: 'Why a Revolt?', assignments: [quiz], prerequisites: [] }), 2)])
      .then([doc(1, 1, { title: 'Why a Revolt?', assignments: [shownQuiz], revision: 2, updatedAt: date(2), _pos: 2 })]));

  it('LetterRetired marks the letter retired; publishing it again brings it back', async () => {
    await given([published(1, letter(1)), published(2, letter(2))])
      .when([retired(3, 2)])
      .then([doc(1, 1), doc(2, 2, { retiredAt: date(3), updatedAt: date(3), _pos: 3 })]);
    await given([published(1, letter(1)), published(2, letter(2)), retired(3, 2)])
      .when([published(4, letter(2, { content: 'Back.' }), 2)])
      .then([doc(1, 1), doc(2, 4, { content: 'Back.', revision: 2 })]);
  });

  it('an event delivered again after later ones changes nothing', () =>
    given([published(1, letter(1)), revised(2, letter(1, { title: 'New' }), 2), retired(3, 1)])
      .when([published(1, letter(1)), revised(2, letter(1, { title: 'New' }), 2)])
      .then([doc(1, 1, { title: 'New', revision: 2, retiredAt: date(3), updatedAt: date(3), _pos: 3 })]));
});
