import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LetterDefinition } from './events.ts';
import { LetterFileError, parseLetterFile } from './markdown.ts';

/** The course this repository ships (course/ at its root): what `npm start` imports into an empty store. */
export const SHIPPED_COURSE_DIR = fileURLToPath(new URL('../../../course/', import.meta.url));

/** Every letter of a folder: its `*.md` files in name order, each parsed; the first bad file throws a LetterFileError. */
export async function readCourseFolder(dir: string): Promise<LetterDefinition[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.md')).sort();
  if (files.length === 0) throw new LetterFileError(dir, 'no letter files (*.md) in this folder');
  return Promise.all(files.map(async (name) => parseLetterFile(name, await readFile(join(dir, name), 'utf8'))));
}
