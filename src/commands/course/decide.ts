import { isDeepStrictEqual } from 'node:util';
import type { Decider } from '../decider.ts';
import { conflict, forbidden, notFound, ruleBroken } from '../errors.ts';
import type { CourseCommand, LetterChanges } from './commands.ts';
import { letterDefinitionSchema, type CourseEvent, type LetterDefinition } from './events.ts';
import { courseHistory, type CourseLetter, type CourseState } from './state.ts';

export type { CourseActor, CourseCommand } from './commands.ts';

function definitionOf(letter: CourseLetter): LetterDefinition {
  const { revision: _r, publishedAt: _p, revisedAt: _v, ...definition } = letter;
  return definition;
}

/** Every prerequisite is a published letter, and following prerequisites never comes back to where it started. */
function checkCourse(letters: ReadonlyMap<number, LetterDefinition>): void {
  for (const letter of letters.values()) {
    const missing = letter.prerequisites.filter((n) => !letters.has(n));
    if (missing.length > 0) {
      throw ruleBroken('invalid_course', `letter ${letter.letterId} needs letter ${missing.join(', ')}, which is not published`, { letterId: letter.letterId, missing });
    }
  }
  const done = new Set<number>();
  const visit = (n: number, path: number[]): void => {
    if (done.has(n)) return;
    if (path.includes(n)) {
      const cycle = [...path.slice(path.indexOf(n)), n];
      throw ruleBroken('invalid_course', `prerequisites go round in a circle: ${cycle.join(' -> ')}`, { cycle });
    }
    for (const p of letters.get(n)!.prerequisites) visit(p, [...path, n]);
    done.add(n);
  };
  for (const n of letters.keys()) visit(n, []);
}

function definitions(state: CourseState): Map<number, LetterDefinition> {
  return new Map([...state.letters].map(([n, letter]) => [n, definitionOf(letter)]));
}

/** The events that take the course from `state` to having each of `letters` as given (nothing for an unchanged one). */
function changesTo(state: CourseState, letters: readonly LetterDefinition[], at: string): CourseEvent[] {
  const course = definitions(state);
  const events: CourseEvent[] = [];
  for (const letter of [...letters].sort((a, b) => a.letterId - b.letterId)) {
    const current = course.get(letter.letterId);
    if (current && isDeepStrictEqual(current, letter)) continue;
    const revision = (state.revisions.get(letter.letterId) ?? 0) + 1;
    events.push({ type: current ? 'LetterRevised' : 'LetterPublished', data: { ...letter, revision, at } });
    course.set(letter.letterId, letter);
  }
  checkCourse(course);
  return events;
}

function published(state: CourseState, letterId: number): CourseLetter {
  const letter = state.letters.get(letterId);
  if (!letter) throw notFound(`letter ${letterId}`);
  return letter;
}

/** A revision's letter: the current one with `changes` laid over it, checked as a whole. */
function revised(current: CourseLetter, changes: LetterChanges): LetterDefinition {
  const parsed = letterDefinitionSchema.safeParse({ ...definitionOf(current), ...changes });
  if (!parsed.success) throw ruleBroken('invalid_letter', 'the revised letter is not valid', parsed.error.issues);
  return parsed.data;
}

/**
 * The course: operators publish, revise and retire letters (one stream, so every change is ordered and traceable).
 * A revision or import that changes nothing appends nothing; every change leaves a course whose prerequisites are
 * all published and free of cycles; a letter others need cannot be retired.
 */
export const courseDecider: Decider<CourseCommand, CourseState, CourseEvent> = {
  initialState: courseHistory.initialState,
  evolve: courseHistory.evolve,
  decide(command, state) {
    if (!command.actor.roles.has('operator')) throw forbidden('only operators may change the course');
    switch (command.type) {
      case 'Publish':
        if (state.letters.has(command.letter.letterId)) throw conflict('letter_exists', `letter ${command.letter.letterId} is already published`);
        return changesTo(state, [command.letter], command.at);
      case 'Revise':
        return changesTo(state, [revised(published(state, command.letterId), command.changes)], command.at);
      case 'Import': {
        const numbers = command.letters.map((l) => l.letterId);
        const twice = numbers.filter((n, i) => numbers.indexOf(n) !== i);
        if (twice.length > 0) throw ruleBroken('invalid_course', `letter ${twice.join(', ')} given more than once`, { letterIds: twice });
        return changesTo(state, command.letters, command.at);
      }
      case 'Retire': {
        published(state, command.letterId);
        const needing = [...state.letters.values()].filter((l) => l.prerequisites.includes(command.letterId)).map((l) => l.letterId);
        if (needing.length > 0) {
          throw ruleBroken('letter_required', `letter ${command.letterId} is a prerequisite of letter ${needing.join(', ')}`, { requiredBy: needing });
        }
        return [{ type: 'LetterRetired', data: { letterId: command.letterId, at: command.at } }];
      }
    }
  },
};
