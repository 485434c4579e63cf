import { describe, expect, it } from 'vitest';
import { courseDecider } from '../../../src/commands/course/decide.ts';
import { SHIPPED_COURSE_DIR, readCourseFolder } from '../../../src/commands/course/folder.ts';
import { parseLetterFile } from '../../../src/commands/course/markdown.ts';
import { FEATURES } from '../../../src/commands/progress/features.ts';
import { given } from '../../support/decider.ts';
import { at, operator } from './fixtures.ts';

const file = (front: string, body = '# Title\n\nDear reader.\n') => `---\n${front}\n---\n\n${body}`;
const FRONT = `id: 4
title: "The First Ten People"
book: awakening
order: 4
prerequisites: [3]
estimatedReadTime: 2
unlocks: [create_invites]
assignments:
  - id: check
    kind: quiz
    required: true
    question: "Which?"
    options: ["a", "b"]
    answer: 1`;

describe('letter files', () => {
  it('front matter and text make a letter', () => {
    expect(parseLetterFile('04.md', file(FRONT))).toEqual({
      letterId: 4,
      title: 'The First Ten People',
      book: 'awakening',
      order: 4,
      prerequisites: [3],
      estimatedReadTime: 2,
      unlocks: ['create_invites'],
      assignments: [{ id: 'check', kind: 'quiz', required: true, question: 'Which?', options: ['a', 'b'], answer: 1 }],
      content: '# Title\n\nDear reader.',
    });
  });

  it('a problem names the file and the field', () => {
    expect(() => parseLetterFile('04.md', file(FRONT.replace('answer: 1', 'answer: 2')))).toThrow('04.md: assignments.0.answer: answer must index one of the 2 options');
    expect(() => parseLetterFile('04.md', file(FRONT.replace('id: 4', 'id: 31')))).toThrow(/^04\.md: id: /);
    expect(() => parseLetterFile('04.md', file(`${FRONT}\nextra: 1`))).toThrow(/^04\.md: .*extra/);
    expect(() => parseLetterFile('04.md', file(FRONT, '   \n'))).toThrow(/^04\.md: content: /);
    expect(() => parseLetterFile('04.md', file('id: [1'))).toThrow(/^04\.md: front matter is not valid YAML/);
    expect(() => parseLetterFile('04.md', 'no front matter')).toThrow(/^04\.md: expected YAML front matter/);
  });
});

describe('the shipped course (course/)', async () => {
  const letters = await readCourseFolder(SHIPPED_COURSE_DIR);

  it('has the 30 letters, numbered 1 to 30, in the four books', () => {
    expect(letters.map((l) => l.letterId)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(letters.map((l) => l.book))).toEqual(new Set(['awakening', 'foundation', 'arsenal', 'revolution']));
  });

  it('orders each book 1, 2, 3… in letter order', () => {
    for (const book of ['awakening', 'foundation', 'arsenal', 'revolution']) {
      const inBook = letters.filter((l) => l.book === book);
      expect(inBook.map((l) => l.order)).toEqual(inBook.map((_, i) => i + 1));
    }
  });

  it('each letter has a few paragraphs of text and one to three assignments, reflections and quizzes among them', () => {
    for (const letter of letters) {
      const paragraphs = letter.content.split(/\n\s*\n/).filter((p) => p.trim().length > 200);
      expect(paragraphs.length, `letter ${letter.letterId}`).toBeGreaterThanOrEqual(3);
      expect(letter.assignments.length).toBeGreaterThanOrEqual(1);
      expect(letter.assignments.length).toBeLessThanOrEqual(3);
    }
    const kinds = new Set(letters.flatMap((l) => l.assignments.map((a) => a.kind)));
    expect(kinds).toEqual(new Set(['reflection', 'quiz']));
  });

  it('is a valid course: imported into an empty store it publishes every letter', () => {
    given(courseDecider).when({ type: 'Import', letters, actor: operator, at }).then((events) => {
      expect(events.map((e) => e.type)).toEqual(Array(30).fill('LetterPublished'));
    });
  });

  it('gates real features: every gateable feature is unlocked by some letter', () => {
    expect(new Set(letters.flatMap((l) => l.unlocks))).toEqual(new Set(FEATURES));
  });
});
