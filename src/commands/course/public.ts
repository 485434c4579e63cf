import { z } from 'zod';
import { quizSchema, reflectionSchema, type Assignment } from './events.ts';

/** An assignment as clients see it: a quiz without its answer. */
export const publicAssignmentSchema = z.discriminatedUnion('kind', [reflectionSchema, quizSchema.omit({ answer: true })]);
export type PublicAssignment = z.infer<typeof publicAssignmentSchema>;

/** The assignments as they may leave the server: quiz answers removed. */
export function withoutAnswers(assignments: readonly Assignment[]): PublicAssignment[] {
  return assignments.map((assignment) => {
    if (assignment.kind !== 'quiz') return assignment;
    const { answer: _answer, ...shown } = assignment;
    return shown;
  });
}
