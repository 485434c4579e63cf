import type { Decider } from '../decider.ts';
import type { CommandHandler } from '../handler.ts';
import type { CourseEvent, LetterDefinition } from './events.ts';

export const COURSE_STREAM = 'course';

/** A published letter: its definition (quiz answers included: server side only), revision, and when. */
export interface CourseLetter extends LetterDefinition {
  revision: number;
  publishedAt: string;
  revisedAt: string;
}

export interface CourseState {
  /** The published letters by number (retired ones are not in it). */
  letters: ReadonlyMap<number, CourseLetter>;
  /** The last revision of every letter ever published, retired ones included (a republished letter continues). */
  revisions: ReadonlyMap<number, number>;
}

export const initialCourseState: CourseState = { letters: new Map(), revisions: new Map() };

export function evolveCourse(state: CourseState, event: CourseEvent): CourseState {
  const letters = new Map(state.letters);
  if (event.type === 'LetterRetired') {
    letters.delete(event.data.letterId);
    return { ...state, letters };
  }
  const { revision, at, ...definition } = event.data;
  const publishedAt = event.type === 'LetterPublished' ? at : (state.letters.get(definition.letterId)?.publishedAt ?? at);
  letters.set(definition.letterId, { ...definition, revision, publishedAt, revisedAt: at });
  return { letters, revisions: new Map(state.revisions).set(definition.letterId, revision) };
}

/** The course stream folded, for whatever reads the course (decide.ts adds the operators' decisions to it). */
export const courseHistory: Decider<never, CourseState, CourseEvent> = {
  initialState: initialCourseState,
  evolve: evolveCourse,
  decide: () => [],
};

/** The course as recorded now (the command handler caches it and reads only newer events). */
export async function loadCourse(commands: Pick<CommandHandler, 'load'>): Promise<CourseState> {
  return (await commands.load(COURSE_STREAM, courseHistory)).state;
}

/** The one unlocking rule: a letter is unlocked for a user who has completed every one of its prerequisites. */
export function isLetterUnlocked(letter: { prerequisites: readonly number[] }, completedLetters: Iterable<number>): boolean {
  const completed = new Set(completedLetters);
  return letter.prerequisites.every((n) => completed.has(n));
}
