import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/commands/course/state.ts';
import { progressStream } from '../../src/commands/progress/events.ts';
import { startTestServer } from '../support/api.ts';

/** Progress commands on the shipped course, in-process: exact under concurrent retries, and rebuilt identically. */
let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('progress', { IMPORT_COURSE: 'true', RUN_ACHIEVEMENTS: 'false' });
}, 60_000);
afterAll(async () => t?.close());

describe('progress commands', () => {
  it('concurrent submissions each count one attempt; concurrent completions complete once', async () => {
    const user = await t.api.register('racer');
    const course = await loadCourse(t.server.services.commands);
    const letter = course.letters.get(1)!;
    const quiz = letter.assignments.find((a) => a.kind === 'quiz')!;
    if (quiz.kind !== 'quiz') throw new Error('letter 1 has a quiz');
    const wrong = (quiz.answer + 1) % quiz.options.length;
    const submit = (assignmentId: string, response: string | number) =>
      t.api.request('POST', `/v1/letters/1/assignments/${assignmentId}`, { token: user.token, body: { response } });

    const answers = await Promise.all(Array.from({ length: 10 }, () => submit(quiz.id, wrong)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.map((a) => a.body.attempts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    for (const assignment of letter.assignments.filter((a) => a.required)) {
      const response = assignment.kind === 'quiz' ? assignment.answer : 'x'.repeat(assignment.minLength);
      expect((await submit(assignment.id, response)).body.status).toBe('passed');
    }
    const completions = await Promise.all(Array.from({ length: 10 }, () => t.api.request('POST', '/v1/letters/1/complete', { token: user.token })));
    expect(completions.map((c) => c.status)).toEqual(Array(10).fill(200));
    expect(completions.filter((c) => c.headers['x-event-position'] !== undefined)).toHaveLength(1);

    const events = await t.server.services.store.readStream(progressStream(user.id));
    expect(events.filter((e) => e.type === 'AssignmentSubmitted')).toHaveLength(10 + letter.assignments.filter((a) => a.required).length);
    expect(events.filter((e) => e.type === 'LetterCompleted')).toHaveLength(1);
    const mine = await t.api.request('GET', '/v1/users/@me/progress', { token: user.token });
    expect(mine.body).toMatchObject({ completedLetters: [1], currentLetter: 2 });
    expect(mine.body.assignments.find((a: { assignmentId: string }) => a.assignmentId === quiz.id)).toMatchObject({ status: 'passed', attempts: 11 });
  });

  it('rebuilding users from position 0 reproduces letterProgress and the course outline', async () => {
    const { engine, services } = t.server;
    const head = await services.store.headPosition();
    expect(await engine.waitForPosition('users', head, 15_000)).toBe(true);
    const snapshot = async () =>
      Promise.all(['users', 'usersCourseOutline'].map((name) => services.db.collection(name).find().sort({ _id: 1 }).toArray()));
    const before = await snapshot();
    expect(before[0]!.some((user) => user.letterProgress.completedLetters.length > 0)).toBe(true);
    expect(before[1]![0]!.letters).toHaveLength(30);
    expect((await engine.rebuild('users')).position).toBe(head);
    expect(await snapshot()).toEqual(before);
  });
});
