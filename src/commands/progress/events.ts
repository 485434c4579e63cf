import { z } from 'zod';
import type { EventsOf } from '../../events/catalogue.ts';
import { idSchema, isoDate } from '../../events/ids.ts';
import { letterNumberSchema } from '../course/events.ts';

export const assignmentKindSchema = z.enum(['reflection', 'quiz']);

/** A submission's answer: a reflection's text, or the index of the option a quiz answer chose. */
export const assignmentResponseSchema = z.union([z.string(), z.number().int().min(0)]);

/**
 * A user's way through the course, on their stream `progress-<userId>`. `attempts` counts the user's submissions
 * to that assignment, this one included; `passed` is this submission's verdict (a quiz answered wrong is recorded,
 * not passed). Only the chosen option of a quiz is recorded, never the right one.
 */
export const progressEventSchemas = {
  AssignmentSubmitted: z.object({
    userId: idSchema,
    letterId: letterNumberSchema,
    assignmentId: z.string().min(1),
    kind: assignmentKindSchema,
    passed: z.boolean(),
    response: assignmentResponseSchema,
    attempts: z.number().int().min(1),
    at: isoDate,
  }),
  LetterCompleted: z.object({ userId: idSchema, letterId: letterNumberSchema, at: isoDate }),
  /** Every letter of the course completed (the seed's `completedAt`). */
  CourseCompleted: z.object({ userId: idSchema, at: isoDate }),
} as const;

export type ProgressEvent = EventsOf<typeof progressEventSchemas>;
export type ProgressEventOf<T extends ProgressEvent['type']> = Extract<ProgressEvent, { type: T }>;

export const progressStream = (userId: string) => `progress-${userId}`;
