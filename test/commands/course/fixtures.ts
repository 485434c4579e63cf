import type { CourseActor } from '../../../src/commands/course/decide.ts';
import type { Assignment, CourseEvent, LetterDefinition } from '../../../src/commands/course/events.ts';

export const at = '2026-01-01T00:00:00.000Z';
export const later = '2026-01-02T00:00:00.000Z';
export const operator: CourseActor = { roles: new Set(['operator']) };
export const auditor: CourseActor = { roles: new Set(['auditor', 'analyst']) };

export const reflection: Assignment = { id: 'reflect', kind: 'reflection', prompt: 'Who is it for?', minLength: 50, required: true };
export const quiz: Extract<Assignment, { kind: 'quiz' }> = { id: 'check', kind: 'quiz', question: 'Which one?', options: ['a', 'b', 'c'], answer: 2, required: false };

/** Letter n of a straight course: awakening, after letter n-1. */
export function letter(letterId: number, more: Partial<LetterDefinition> = {}): LetterDefinition {
  return {
    letterId,
    book: 'awakening',
    order: letterId,
    title: `Letter ${letterId}`,
    content: `The text of letter ${letterId}.`,
    prerequisites: letterId === 1 ? [] : [letterId - 1],
    estimatedReadTime: 3,
    unlocks: [],
    assignments: [reflection, quiz],
    ...more,
  };
}

export const published = (definition: LetterDefinition, revision = 1, when = at): CourseEvent => ({ type: 'LetterPublished', data: { ...definition, revision, at: when } });
export const revised = (definition: LetterDefinition, revision: number, when = later): CourseEvent => ({ type: 'LetterRevised', data: { ...definition, revision, at: when } });
export const retired = (letterId: number, when = later): CourseEvent => ({ type: 'LetterRetired', data: { letterId, at: when } });
