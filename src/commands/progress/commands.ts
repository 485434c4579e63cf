import { z } from 'zod';
import type { CourseState } from '../course/state.ts';

/** The body of a submission: a reflection's text, or the index of the chosen option of a quiz. */
export const submissionSchema = z.strictObject({
  response: z.union([z.string().max(20_000), z.number().int().min(0).max(99)]),
});

/** Every command on a user's progress; `course` is the course as recorded when the command runs. */
export type ProgressCommand =
  | { type: 'SubmitAssignment'; userId: string; course: CourseState; letterId: number; assignmentId: string; response: string | number; at: string }
  | { type: 'CompleteLetter'; userId: string; course: CourseState; letterId: number; at: string };

export type ProgressCommandOf<T extends ProgressCommand['type']> = Extract<ProgressCommand, { type: T }>;
