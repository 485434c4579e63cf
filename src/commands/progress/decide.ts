import type { Decider } from '../decider.ts';
import { conflict, ruleBroken } from '../errors.ts';
import type { ProgressCommand, ProgressCommandOf } from './commands.ts';
import type { ProgressEvent } from './events.ts';
import { assignmentOf, courseDone, missingAssignments, publishedLetter, requireUnlocked, verdict } from './rules.ts';
import { assignmentKey, evolveProgress, initialProgressState, type ProgressState } from './state.ts';

function submit(command: ProgressCommandOf<'SubmitAssignment'>, state: ProgressState): ProgressEvent[] {
  const { userId, letterId, assignmentId, at } = command;
  const letter = publishedLetter(command.course, letterId);
  requireUnlocked(letter, state.completed);
  if (state.completed.has(letterId)) throw conflict('letter_completed', `letter ${letterId} is already completed`);
  const assignment = assignmentOf(letter, assignmentId);
  const passed = verdict(assignment, command.response);
  const response = typeof command.response === 'string' ? command.response.trim() : command.response;
  const attempts = (state.assignments.get(assignmentKey(letterId, assignmentId))?.attempts ?? 0) + 1;
  return [{ type: 'AssignmentSubmitted', data: { userId, letterId, assignmentId, kind: assignment.kind, passed, response, attempts, at } }];
}

function complete(command: ProgressCommandOf<'CompleteLetter'>, state: ProgressState): ProgressEvent[] {
  const { userId, letterId, course, at } = command;
  const letter = publishedLetter(course, letterId);
  requireUnlocked(letter, state.completed);
  if (state.completed.has(letterId)) return [];
  const missing = missingAssignments(letter, (id) => state.assignments.get(assignmentKey(letterId, id))?.passed === true);
  if (missing.length > 0) throw ruleBroken('assignments_incomplete', 'pass every required assignment first', { missing });
  const events: ProgressEvent[] = [{ type: 'LetterCompleted', data: { userId, letterId, at } }];
  if (!state.courseCompleted && courseDone(course, new Set(state.completed).add(letterId))) events.push({ type: 'CourseCompleted', data: { userId, at } });
  return events;
}

export const progressDecider: Decider<ProgressCommand, ProgressState, ProgressEvent> = {
  initialState: initialProgressState,
  evolve: evolveProgress,
  decide(command, state) {
    switch (command.type) {
      case 'SubmitAssignment':
        return submit(command, state);
      case 'CompleteLetter':
        return complete(command, state);
    }
  },
};
