import { parse } from 'yaml';
import { z } from 'zod';
import { letterDefinitionSchema, letterFields, letterNumberSchema, type LetterDefinition } from './events.ts';

/** A letter file's front matter: the letter's fields but `content` (the Markdown after it), `id` its number. */
const { content: _content, ...frontMatterFields } = letterFields;
const frontMatterSchema = z.strictObject({ id: letterNumberSchema, ...frontMatterFields });

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/;

export class LetterFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'LetterFileError';
  }
}

const described = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(letter)'}: ${i.message}`).join('; ');

/**
 * A letter from its Markdown file: YAML front matter between `---` lines (id, title, book, order, prerequisites,
 * estimatedReadTime, unlocks, assignments), then the letter's text. Checked with the letters' own schema; any
 * problem is a LetterFileError naming the file and the field.
 */
export function parseLetterFile(file: string, text: string): LetterDefinition {
  const match = FRONT_MATTER.exec(text);
  if (!match) throw new LetterFileError(file, 'expected YAML front matter between two --- lines, then the letter');
  let yaml: unknown;
  try {
    yaml = parse(match[1]!);
  } catch (error) {
    throw new LetterFileError(file, `front matter is not valid YAML: ${(error as Error).message}`);
  }
  const front = frontMatterSchema.safeParse(yaml);
  if (!front.success) throw new LetterFileError(file, described(front.error));
  const { id, ...fields } = front.data;
  const letter = letterDefinitionSchema.safeParse({ letterId: id, ...fields, content: match[2]!.trim() });
  if (!letter.success) throw new LetterFileError(file, described(letter.error));
  return letter.data;
}
