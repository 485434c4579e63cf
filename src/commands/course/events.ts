import { z } from 'zod';
import type { EventsOf } from '../../events/catalogue.ts';
import { isoDate } from '../../events/ids.ts';
import { featureSchema } from '../progress/features.ts';

/** The course has 30 letters; a letter's number is its id in the seed's `letters` collection. */
export const TOTAL_LETTERS = 30;
export const letterNumberSchema = z.number().int().min(1).max(TOTAL_LETTERS);
export const bookSchema = z.enum(['awakening', 'foundation', 'arsenal', 'revolution']);

const assignmentIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an assignment id is 1-64 lowercase letters, digits and dashes');
const text = (max: number) => z.string().trim().min(1).max(max);

/** Free text the server accepts once it has at least `minLength` characters. */
export const reflectionSchema = z.strictObject({
  id: assignmentIdSchema,
  kind: z.literal('reflection'),
  prompt: text(2000),
  minLength: z.number().int().min(1).max(10_000),
  required: z.boolean(),
});

/** Multiple choice, checked on the server: `answer` (the index of the right option) never leaves it. */
export const quizSchema = z.strictObject({
  id: assignmentIdSchema,
  kind: z.literal('quiz'),
  question: text(2000),
  options: z.array(text(500)).min(2).max(8),
  answer: z.number().int().min(0),
  required: z.boolean(),
});

const assignmentSchema = z.discriminatedUnion('kind', [reflectionSchema, quizSchema]);
export type Assignment = z.infer<typeof assignmentSchema>;

/** What a letter is, apart from its number: the fields an operator writes (PATCH changes some of them). */
export const letterFields = {
  book: bookSchema,
  order: z.number().int().min(1).max(TOTAL_LETTERS),
  title: text(200),
  content: text(100_000),
  prerequisites: z.array(letterNumberSchema).max(TOTAL_LETTERS - 1),
  estimatedReadTime: z.number().int().min(1).max(600),
  unlocks: z.array(featureSchema),
  assignments: z.array(assignmentSchema).min(1).max(3),
};

type LetterFields = z.infer<z.ZodObject<typeof letterFields>>;

const duplicates = <T>(values: readonly T[]) => values.filter((v, i) => values.indexOf(v) !== i);

/** The rules within one letter's fields that a field's own schema cannot say. */
function checkFields(letter: LetterFields, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (duplicates(letter.prerequisites).length > 0) issue(['prerequisites'], 'prerequisites are listed once each');
  if (duplicates(letter.unlocks).length > 0) issue(['unlocks'], 'features are listed once each');
  if (duplicates(letter.assignments.map((a) => a.id)).length > 0) issue(['assignments'], 'assignment ids are unique within a letter');
  letter.assignments.forEach((a, i) => {
    if (a.kind === 'quiz' && a.answer >= a.options.length) issue(['assignments', i, 'answer'], `answer must index one of the ${a.options.length} options`);
  });
}

function checkLetter(letter: LetterFields & { letterId: number }, ctx: z.RefinementCtx): void {
  checkFields(letter, ctx);
  if (letter.prerequisites.includes(letter.letterId)) ctx.addIssue({ code: 'custom', path: ['prerequisites'], message: 'a letter cannot be its own prerequisite' });
}

/** A letter's fields as a request body names them (the number is in the path). */
export const letterBodySchema = z.strictObject(letterFields).superRefine(checkFields);

/** A whole letter as operators publish it: the one schema of the API's bodies, the import's files and the events. */
export const letterDefinitionSchema = z.strictObject({ letterId: letterNumberSchema, ...letterFields }).superRefine(checkLetter);
export type LetterDefinition = z.infer<typeof letterDefinitionSchema>;

/** A letter as one event records it: the definition, its revision and when. */
const letterVersionSchema = z
  .strictObject({ letterId: letterNumberSchema, ...letterFields, revision: z.number().int().min(1), at: isoDate })
  .superRefine(checkLetter);

/**
 * The `course` stream. LetterPublished and LetterRevised carry the whole definition, quiz answers included (the
 * server checks submissions against them; no read model a client reads and no dispatch carries them), and the
 * letter's revision: 1 when first published, one more with each revision (a republished letter continues).
 */
export const courseEventSchemas = {
  LetterPublished: letterVersionSchema,
  LetterRevised: letterVersionSchema,
  LetterRetired: z.strictObject({ letterId: letterNumberSchema, at: isoDate }),
} as const;

export type CourseEvent = EventsOf<typeof courseEventSchemas>;
