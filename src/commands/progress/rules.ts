import type { Assignment } from '../course/events.ts';
import { isLetterUnlocked, type CourseLetter, type CourseState } from '../course/state.ts';
import { AppError, badRequest, notFound, ruleBroken } from '../errors.ts';

/** The published letter numbered `letterId` (404 when the course has none). */
export function publishedLetter(course: CourseState, letterId: number): CourseLetter {
  const letter = course.letters.get(letterId);
  if (!letter) throw notFound('letter');
  return letter;
}

/** 403 `letter_locked` naming the prerequisites still to complete. */
export function requireUnlocked(letter: CourseLetter, completed: ReadonlySet<number>): void {
  if (isLetterUnlocked(letter, completed)) return;
  const missing = letter.prerequisites.filter((n) => !completed.has(n));
  throw new AppError('letter_locked', `complete letters ${missing.join(', ')} first`, { letterId: letter.letterId, missing });
}

export function assignmentOf(letter: CourseLetter, assignmentId: string): Assignment {
  const assignment = letter.assignments.find((a) => a.id === assignmentId);
  if (!assignment) throw notFound('assignment');
  return assignment;
}

/**
 * Whether a response passes: a reflection is text of at least `minLength` characters once trimmed (shorter is
 * refused, not recorded); a quiz response is the index of one of its options, passed when it is the right one.
 */
export function verdict(assignment: Assignment, response: string | number): boolean {
  if (assignment.kind === 'reflection') {
    if (typeof response !== 'string') throw badRequest('a reflection is answered with text');
    const length = [...response.trim()].length;
    if (length < assignment.minLength) {
      throw ruleBroken('reflection_too_short', `a reflection needs at least ${assignment.minLength} characters`, { minLength: assignment.minLength, length });
    }
    return true;
  }
  if (typeof response !== 'number' || !Number.isInteger(response) || response < 0 || response >= assignment.options.length) {
    throw badRequest(`a quiz is answered with the index of one of its ${assignment.options.length} options`);
  }
  return response === assignment.answer;
}

/** The required assignments of a letter not yet passed (by their latest submission). */
export function missingAssignments(letter: CourseLetter, passed: (assignmentId: string) => boolean): string[] {
  return letter.assignments.filter((a) => a.required && !passed(a.id)).map((a) => a.id);
}

/** Whether every letter of the course is completed (a course with no letters is never completed). */
export function courseDone(course: CourseState, completed: ReadonlySet<number>): boolean {
  return course.letters.size > 0 && [...course.letters.keys()].every((n) => completed.has(n));
}

/** The lowest-numbered letter of the course that is unlocked and not completed; null when there is none. */
export function currentLetterOf(letters: Iterable<{ letterId: number; prerequisites: readonly number[] }>, completed: ReadonlySet<number>): number | null {
  let current: number | null = null;
  for (const letter of letters) {
    if (completed.has(letter.letterId) || !isLetterUnlocked(letter, completed)) continue;
    if (current === null || letter.letterId < current) current = letter.letterId;
  }
  return current;
}
