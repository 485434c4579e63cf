import type { Assignment, CourseEvent, LetterDefinition } from '../../../src/commands/course/events.ts';
import { evolveCourse, initialCourseState, type CourseState } from '../../../src/commands/course/state.ts';
import type { FeatureAccess } from '../../../src/commands/progress/features.ts';
import type { RevoltCommand } from '../../../src/commands/revolts/decide.ts';
import type { RevoltSettings } from '../../../src/commands/revolts/events.ts';
import { letter as courseLetter } from '../course/fixtures.ts';

export const at = '2026-01-01T00:00:00.000Z';
export const USER = '1'.repeat(24);
export const R = 'a'.repeat(24);

export const reflection = (id: string, minLength = 10, required = true): Assignment => ({ id, kind: 'reflection', prompt: 'Think.', minLength, required });
export const quiz = (id: string, answer = 1, required = true): Assignment => ({ id, kind: 'quiz', question: 'Which?', options: ['a', 'b', 'c'], answer, required });

/** Letter n of a straight course (course/fixtures.ts), short and with one reflection. */
export const letter = (letterId: number, more: Partial<LetterDefinition> = {}): LetterDefinition =>
  courseLetter(letterId, { content: 'Dear reader.', estimatedReadTime: 2, assignments: [reflection('reflect')], ...more });

export const published = (definition: LetterDefinition): CourseEvent => ({ type: 'LetterPublished', data: { ...definition, revision: 1, at } });

/** The course made of these letters, as the course stream would record them. */
export const courseOf = (...letters: LetterDefinition[]): CourseState => letters.map(published).reduce(evolveCourse, initialCourseState);

/** USER creating the revolt R with `features` (and `settings`). */
export const createRevolt = (features: FeatureAccess, settings: Partial<RevoltSettings> = {}): RevoltCommand => ({
  type: 'CreateRevolt',
  revoltId: R,
  everyoneRoleId: 'b'.repeat(24),
  defaultChannelId: 'c'.repeat(24),
  inviteCode: 'INVITE01',
  owner: { userId: USER, username: 'owner' },
  name: 'Rebels',
  description: '',
  settings,
  features,
  at,
});
