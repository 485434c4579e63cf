import type { Document } from 'mongodb';
import { z } from 'zod';
import { bookSchema } from '../../commands/course/events.ts';
import { publicAssignmentSchema, withoutAnswers } from '../../commands/course/public.ts';
import { isLetterUnlocked, type CourseLetter } from '../../commands/course/state.ts';
import { featureSchema } from '../../commands/progress/features.ts';
import { timestamp } from '../schemas/fields.ts';

const shared = {
  id: z.number().int(),
  title: z.string(),
  book: bookSchema,
  order: z.number().int(),
  prerequisites: z.array(z.number().int()),
  unlocks: z.array(featureSchema),
  estimatedReadTime: z.number().int(),
  revision: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
};

/** A letter as the operator who changed it reads it back: all of it but the quiz answers. */
export const publishedLetterSchema = z.object({ ...shared, content: z.string(), assignments: z.array(publicAssignmentSchema) });

/** A letter as one user reads it: `isUnlocked` for them; a locked letter without its content and assignments. */
export const letterViewSchema = z.object({
  ...shared,
  isUnlocked: z.boolean(),
  content: z.string().optional(),
  assignments: z.array(publicAssignmentSchema).optional(),
});
export type LetterView = z.infer<typeof letterViewSchema>;

/** The `letters` document as `completedLetters`' owner may see it. */
export function letterView(doc: Document, completedLetters: readonly number[]): LetterView {
  const isUnlocked = isLetterUnlocked(doc as { prerequisites: number[] }, completedLetters);
  const view: LetterView = {
    id: doc.id,
    title: doc.title,
    book: doc.book,
    order: doc.order,
    prerequisites: doc.prerequisites,
    unlocks: doc.unlocks,
    estimatedReadTime: doc.estimatedReadTime,
    revision: doc.revision,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    isUnlocked,
  };
  return isUnlocked ? { ...view, content: doc.content, assignments: doc.assignments } : view;
}

/** A letter of the course state, as published (answers removed). */
export function publishedLetter(letter: CourseLetter): z.infer<typeof publishedLetterSchema> {
  return {
    id: letter.letterId,
    title: letter.title,
    book: letter.book,
    order: letter.order,
    prerequisites: letter.prerequisites,
    unlocks: letter.unlocks,
    estimatedReadTime: letter.estimatedReadTime,
    revision: letter.revision,
    createdAt: letter.publishedAt,
    updatedAt: letter.revisedAt,
    content: letter.content,
    assignments: withoutAnswers(letter.assignments),
  };
}
