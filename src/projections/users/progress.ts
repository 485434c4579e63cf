import type { Collection, Document } from 'mongodb';
import { TOTAL_LETTERS, type CourseEvent } from '../../commands/course/events.ts';
import type { ProgressEvent, ProgressEventOf } from '../../commands/progress/events.ts';
import { currentLetterOf } from '../../commands/progress/rules.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { POSITION_FIELD, rewriteGuarded } from '../engine/guard.ts';
import type { CollectionSpec, ProjectionContext } from '../engine/read-model.ts';

export type UserProgressEvent = RecordedEvent & ProgressEvent;
export type UserCourseEvent = RecordedEvent & CourseEvent;

/**
 * What the users lane knows of the course, from the course events it sees in order: one document holding each
 * published letter's number and prerequisites, all `currentLetter` needs. Internal to the lane (no route reads
 * it), rebuilt with the users collection.
 */
export const courseOutlineCollection: CollectionSpec = { name: 'usersCourseOutline', indexes: [] };
const OUTLINE_ID = 'course';

interface OutlineLetter {
  letterId: number;
  prerequisites: number[];
}

async function outlineOf(ctx: ProjectionContext): Promise<{ letters: OutlineLetter[]; position: number }> {
  const doc = await ctx.collection(courseOutlineCollection.name).findOne({ _id: OUTLINE_ID as never });
  return { letters: (doc?.letters as OutlineLetter[] | undefined) ?? [], position: (doc?.[POSITION_FIELD] as number | undefined) ?? 0 };
}

/** The lowest unlocked letter not completed, under the outline; where none is left the previous one stays. */
function currentLetter(letters: readonly OutlineLetter[], completed: readonly number[], previous: number): number {
  return currentLetterOf(letters, new Set(completed)) ?? previous;
}

function outlineAfter(letters: readonly OutlineLetter[], event: UserCourseEvent): OutlineLetter[] {
  const others = letters.filter((l) => l.letterId !== event.data.letterId);
  if (event.type === 'LetterRetired') return others;
  return [...others, { letterId: event.data.letterId, prerequisites: [...event.data.prerequisites] }].sort((a, b) => a.letterId - b.letterId);
}

const sameOutline = (a: readonly OutlineLetter[], b: readonly OutlineLetter[]) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A course change: the outline takes it, and every user whose `currentLetter` it moves is rewritten (one pass over
 * the users, read to the end; a revision that leaves numbers and prerequisites as they were touches no user). A
 * redelivered event finds the outline already past it and recomputes anyway, which rewrites only what differs.
 */
export async function applyCourseToUsers(ctx: ProjectionContext, event: UserCourseEvent): Promise<void> {
  const outlines = ctx.collection(courseOutlineCollection.name);
  const before = await outlineOf(ctx);
  const redelivered = before.position >= event.position;
  const letters = redelivered ? before.letters : outlineAfter(before.letters, event);
  if (!redelivered) {
    await outlines.replaceOne({ _id: OUTLINE_ID as never }, { letters, [POSITION_FIELD]: event.position }, { upsert: true });
    if (sameOutline(before.letters, letters)) return;
  }
  const users = ctx.collection('users');
  const cursor = users.find({ [POSITION_FIELD]: { $lt: event.position } }, { projection: { _id: 1, letterProgress: 1 } });
  for await (const user of cursor) {
    const progress = user.letterProgress as Document;
    const current = currentLetter(letters, progress.completedLetters, progress.currentLetter);
    if (current === progress.currentLetter) continue;
    await users.updateOne(
      { _id: user._id, [POSITION_FIELD]: { $lt: event.position } },
      { $set: { 'letterProgress.currentLetter': current, [POSITION_FIELD]: event.position } },
    );
  }
}

/** An AssignmentProgress entry: the user's latest submission to that assignment (what submitting answers, too). */
export function assignmentEntry(submitted: ProgressEventOf<'AssignmentSubmitted'>['data']) {
  const { letterId, assignmentId, kind, passed, response, attempts, at } = submitted;
  const submittedAt = new Date(at);
  return {
    letterId,
    assignmentId,
    kind,
    status: passed ? ('passed' as const) : ('failed' as const),
    response,
    attempts,
    submittedAt,
    ...(passed && { completedAt: submittedAt }),
  };
}

/**
 * `letterProgress` from the user's progress events: each assignment's latest submission (status `passed` or
 * `failed`, response, attempts, `submittedAt`, and `completedAt` when passed), completed letters in order,
 * `currentLetter` under the course as the lane knows it, `completedAt` once the course is completed, and
 * `lastAccessed` at the time of each.
 */
export async function applyProgressToUser(ctx: ProjectionContext, event: UserProgressEvent): Promise<void> {
  const letters = event.type === 'LetterCompleted' ? (await outlineOf(ctx)).letters : [];
  const users: Collection = ctx.collection('users');
  await rewriteGuarded(users, { id: event.data.userId }, event.position, (user) => {
    const progress = user.letterProgress as Document;
    const at = new Date(event.data.at);
    progress.lastAccessed = at;
    switch (event.type) {
      case 'AssignmentSubmitted': {
        const { letterId, assignmentId } = event.data;
        const entries = progress.assignments as Document[];
        const index = entries.findIndex((a) => a.letterId === letterId && a.assignmentId === assignmentId);
        if (index === -1) entries.push(assignmentEntry(event.data));
        else entries[index] = assignmentEntry(event.data);
        return;
      }
      case 'LetterCompleted': {
        const completed = [...new Set([...(progress.completedLetters as number[]), event.data.letterId])].sort((a, b) => a - b);
        progress.completedLetters = completed;
        progress.currentLetter = currentLetter(letters, completed, progress.currentLetter);
        return;
      }
      case 'CourseCompleted':
        progress.completedAt = at;
        return;
    }
  });
}

/** A new user's `letterProgress`: nothing done yet, and the course's first unlocked letter as current (1 without a course). */
export async function initialLetterProgress(ctx: ProjectionContext, joinedAt: Date): Promise<Document> {
  const { letters } = await outlineOf(ctx);
  return { completedLetters: [], currentLetter: currentLetter(letters, [], 1), totalLetters: TOTAL_LETTERS, assignments: [], lastAccessed: joinedAt };
}
