import type { StaffRole } from '../staff/events.ts';
import type { LetterDefinition } from './events.ts';

/** Whoever changes the course: only operators may. */
export interface CourseActor {
  roles: ReadonlySet<StaffRole>;
}

export type LetterChanges = Partial<Omit<LetterDefinition, 'letterId'>>;

export type CourseCommand =
  | { type: 'Publish'; letter: LetterDefinition; actor: CourseActor; at: string }
  | { type: 'Revise'; letterId: number; changes: LetterChanges; actor: CourseActor; at: string }
  | { type: 'Retire'; letterId: number; actor: CourseActor; at: string }
  /** Brings the course to these letters: new ones published, changed ones revised, the rest left as they are. */
  | { type: 'Import'; letters: readonly LetterDefinition[]; actor: CourseActor; at: string };
