import { randomUUID } from 'node:crypto';
import type { CommandHandler } from '../handler.ts';
import { courseDecider, type CourseActor } from './decide.ts';
import type { LetterDefinition } from './events.ts';
import { readCourseFolder } from './folder.ts';
import { COURSE_STREAM } from './state.ts';

/** Whoever holds the event store's credentials (the course CLI, the server's start-up import) acts as an operator. */
const STORE_OPERATOR: CourseActor = { roles: new Set(['operator']) };

export interface ImportResult {
  published: number[];
  revised: number[];
  unchanged: number[];
  /** Global position of the last event appended, or null when the course already was as the folder says. */
  position: number | null;
}

/**
 * Brings the course to the letters of `dir` in one append: new letters published, changed ones revised, the same
 * folder again appends nothing. Letters the course has that the folder lacks are left as they are.
 */
export async function importCourseFolder(commands: CommandHandler, dir: string, by: string): Promise<ImportResult> {
  const letters: LetterDefinition[] = await readCourseFolder(dir);
  const id = randomUUID();
  const result = await commands.execute(
    COURSE_STREAM,
    courseDecider,
    { type: 'Import', letters, actor: STORE_OPERATOR, at: new Date().toISOString() },
    { actorId: by, correlationId: id, causationId: id },
  );
  const published = result.events.filter((e) => e.type === 'LetterPublished').map((e) => (e.data as LetterDefinition).letterId);
  const revised = result.events.filter((e) => e.type === 'LetterRevised').map((e) => (e.data as LetterDefinition).letterId);
  const changed = new Set([...published, ...revised]);
  return { published, revised, unchanged: letters.map((l) => l.letterId).filter((n) => !changed.has(n)), position: result.position };
}

/** The start-up import: `dir` becomes the course when the store has none yet (no course stream). */
export async function importCourseIfNone(commands: CommandHandler, dir: string): Promise<ImportResult | null> {
  const { revision } = await commands.load(COURSE_STREAM, courseDecider);
  return revision === -1 ? importCourseFolder(commands, dir, 'system:course-import') : null;
}
