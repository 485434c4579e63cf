import type { ProgressEvent } from './events.ts';

/** The latest verdict on one assignment and how many submissions led to it. */
export interface AssignmentRecord {
  passed: boolean;
  attempts: number;
}

/** One user's progress through the course: what the progress rules decide against. */
export interface ProgressState {
  completed: ReadonlySet<number>;
  /** By assignmentKey(letterId, assignmentId). */
  assignments: ReadonlyMap<string, AssignmentRecord>;
  courseCompleted: boolean;
}

export const assignmentKey = (letterId: number, assignmentId: string) => `${letterId}/${assignmentId}`;

export const initialProgressState: ProgressState = { completed: new Set(), assignments: new Map(), courseCompleted: false };

export function evolveProgress(state: ProgressState, event: ProgressEvent): ProgressState {
  switch (event.type) {
    case 'AssignmentSubmitted': {
      const { letterId, assignmentId, passed, attempts } = event.data;
      const assignments = new Map(state.assignments).set(assignmentKey(letterId, assignmentId), { passed, attempts });
      return { ...state, assignments };
    }
    case 'LetterCompleted':
      return { ...state, completed: new Set(state.completed).add(event.data.letterId) };
    case 'CourseCompleted':
      return { ...state, courseCompleted: true };
  }
}
