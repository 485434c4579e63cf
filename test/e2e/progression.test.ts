import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assignment, LetterDefinition } from '../../src/commands/course/events.ts';
import { readCourseFolder, SHIPPED_COURSE_DIR } from '../../src/commands/course/folder.ts';
import type { Feature } from '../../src/commands/progress/features.ts';
import { isolatedEngines } from '../support/engines.ts';
import { freePort, http, ServerProcess } from '../support/process.ts';

/**
 * A new user walks the shipped course (imported by the server on its fresh store) through letters 1 to 4 over
 * HTTP, against `npm start`'s entry point: reading, a too-short reflection, a quiz answered wrong then right,
 * completing (twice), watching letterProgress move, and the features letters unlock refused then allowed.
 */
const engines = isolatedEngines('progression');
let server: ServerProcess;
let course: Map<number, LetterDefinition>;

beforeAll(async () => {
  course = new Map((await readCourseFolder(SHIPPED_COURSE_DIR)).map((letter) => [letter.letterId, letter]));
  server = new ServerProcess({ ...engines.env, RATE_LIMIT_SCALE: '100', IMPORT_COURSE: 'true', RUN_ACHIEVEMENTS: 'true' }, await freePort());
  await server.start(60_000);
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await engines.drop();
});

/** The lowest letter of the shipped course that unlocks `feature`. */
const unlocking = (feature: Feature) => Math.min(...[...course.values()].filter((l) => l.unlocks.includes(feature)).map((l) => l.letterId));
const wrongOption = (quiz: Extract<Assignment, { kind: 'quiz' }>) => (quiz.answer + 1) % quiz.options.length;
/** No answer the server gives carries a quiz's right answer. */
const noAnswers = (body: unknown) => expect(JSON.stringify(body)).not.toMatch(/"answer"/);

describe('progression through the shipped course', () => {
  let token: string;
  let userId: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await http(server.url, method, path, { token, ...(body !== undefined && { body }) });
    noAnswers(res.body);
    return res;
  };
  const progress = async () => (await call('GET', '/v1/users/@me/progress')).body;

  beforeAll(async () => {
    const res = await http(server.url, 'POST', '/v1/auth/register', { body: { email: `walker-${Date.now()}@example.com`, username: 'walker', password: 'correct horse battery' } });
    expect(res.status).toBe(201);
    ({ token } = res.body);
    userId = res.body.user.id;
  });

  it('the course is the shipped one; a new user starts at letter 1 with letter 2 locked', async () => {
    expect(course.size).toBe(30);
    const one = await call('GET', '/v1/letters/1');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: 1, isUnlocked: true, title: course.get(1)!.title });
    expect(one.body.content).toEqual(expect.any(String));
    const two = await call('GET', '/v1/letters/2');
    expect(two.body).toMatchObject({ id: 2, isUnlocked: false, title: course.get(2)!.title });
    expect(two.body.content).toBeUndefined();
    expect(await progress()).toMatchObject({ completedLetters: [], currentLetter: 1, totalLetters: 30, assignments: [] });
  });

  it('creating a revolt is refused before the letter that unlocks it', async () => {
    const res = await call('POST', '/v1/revolts', { name: 'Too Early' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'feature_locked', details: { letterId: unlocking('create_revolt') } });
    expect(res.headers.get('x-event-position')).toBeNull();
  });

  it('a locked letter refuses submissions and completion; unknown letters and assignments are 404', async () => {
    const quiz2 = course.get(2)!.assignments[0]!;
    expect((await call('POST', `/v1/letters/2/assignments/${quiz2.id}`, { response: 'x'.repeat(500) })).body.error.code).toBe('letter_locked');
    expect((await call('POST', '/v1/letters/2/complete')).status).toBe(403);
    expect((await call('POST', '/v1/letters/1/assignments/no-such-thing', { response: 0 })).status).toBe(404);
    expect((await call('POST', '/v1/letters/31/complete')).status).toBe(400);
    expect((await call('POST', '/v1/letters/1/assignments/x', { response: { nested: true } })).status).toBe(400);
  });

  it('letter 1: a too-short reflection is refused, a wrong quiz answer recorded, completion waits for the right one', async () => {
    const letter = course.get(1)!;
    const reflection = letter.assignments.find((a) => a.kind === 'reflection')!;
    const quiz = letter.assignments.find((a) => a.kind === 'quiz')!;
    if (reflection.kind !== 'reflection' || quiz.kind !== 'quiz') throw new Error('letter 1 has a reflection and a quiz');

    const short = await call('POST', `/v1/letters/1/assignments/${reflection.id}`, { response: 'too short' });
    expect(short.status).toBe(422);
    expect(short.body.error.code).toBe('reflection_too_short');

    const text = 'Three people come to mind. '.repeat(Math.ceil(reflection.minLength / 20));
    const reflected = await call('POST', `/v1/letters/1/assignments/${reflection.id}`, { response: text });
    expect(reflected.status).toBe(200);
    expect(reflected.body).toMatchObject({ letterId: 1, assignmentId: reflection.id, kind: 'reflection', status: 'passed', attempts: 1 });

    const wrong = await call('POST', `/v1/letters/1/assignments/${quiz.id}`, { response: wrongOption(quiz) });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({ status: 'failed', attempts: 1, response: wrongOption(quiz) });
    expect(wrong.body.completedAt).toBeUndefined();

    const early = await call('POST', '/v1/letters/1/complete');
    expect(early.status).toBe(422);
    expect(early.body.error).toMatchObject({ code: 'assignments_incomplete', details: { missing: [quiz.id] } });

    const right = await call('POST', `/v1/letters/1/assignments/${quiz.id}`, { response: quiz.answer });
    expect(right.body).toMatchObject({ status: 'passed', attempts: 2 });

    const done = await call('POST', '/v1/letters/1/complete');
    expect(done.status).toBe(200);
    expect(Number(done.headers.get('x-event-position'))).toBeGreaterThan(0);
    expect(done.body).toMatchObject({ completedLetters: [1], currentLetter: 2 });
    expect(done.body.assignments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ assignmentId: reflection.id, status: 'passed', attempts: 1, response: text.trim() }),
        expect.objectContaining({ assignmentId: quiz.id, status: 'passed', attempts: 2, response: quiz.answer, completedAt: expect.any(String) }),
      ]),
    );

    // Completing twice changes nothing: no event, the same progress.
    const again = await call('POST', '/v1/letters/1/complete');
    expect(again.status).toBe(200);
    expect(again.headers.get('x-event-position')).toBeNull();
    expect(again.body).toEqual(done.body);
    expect((await call('POST', `/v1/letters/1/assignments/${quiz.id}`, { response: quiz.answer })).body.error.code).toBe('letter_completed');
  });

  it('an achievement appears once the first letter is completed', async () => {
    const deadline = Date.now() + 30_000;
    let items: Array<{ id: string; category: string }> = [];
    while (Date.now() < deadline) {
      const res = await call('GET', `/v1/users/${userId}/achievements`);
      expect(res.status).toBe(200);
      items = res.body.items;
      if (items.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(items).toEqual(expect.arrayContaining([expect.objectContaining({ category: 'education' })]));
  });

  /** Passes every required assignment of letter `n` (quizzes right at once) and completes it. */
  async function pass(n: number) {
    for (const assignment of course.get(n)!.assignments.filter((a) => a.required)) {
      const response = assignment.kind === 'quiz' ? assignment.answer : 'A considered answer, long enough. '.repeat(Math.ceil(assignment.minLength / 30));
      const res = await call('POST', `/v1/letters/${n}/assignments/${assignment.id}`, { response });
      expect(res.body, `letter ${n}, ${assignment.id}`).toMatchObject({ status: 'passed' });
    }
    const done = await call('POST', `/v1/letters/${n}/complete`);
    expect(done.status).toBe(200);
    return done.body;
  }

  it('letters 2 to 4: the features they unlock are refused before and allowed after', async () => {
    expect(unlocking('create_revolt')).toBe(2);
    expect(unlocking('create_invites')).toBe(4);
    expect(await pass(2)).toMatchObject({ completedLetters: [1, 2], currentLetter: 3 });
    const revolt = await call('POST', '/v1/revolts', { name: 'Now Ready' });
    expect(revolt.status).toBe(201);
    const revoltId = revolt.body.id;

    const early = await call('POST', `/v1/revolts/${revoltId}/invite`);
    expect(early.status).toBe(403);
    expect(early.body.error).toMatchObject({ code: 'feature_locked', details: { letterId: 4 } });

    // Letter 3's optional assignment is left undone: completing needs only the required ones.
    expect(course.get(3)!.assignments.some((a) => !a.required)).toBe(true);
    expect(await pass(3)).toMatchObject({ completedLetters: [1, 2, 3], currentLetter: 4 });
    const fourth = await pass(4);
    expect(fourth).toMatchObject({ completedLetters: [1, 2, 3, 4], currentLetter: 5 });
    expect(fourth.completedAt).toBeUndefined();

    const invite = await call('POST', `/v1/revolts/${revoltId}/invite`);
    expect(invite.status).toBe(200);
    expect(invite.body.code).toEqual(expect.any(String));
  });

  it('letterProgress is in my profile, and in nobody else’s view of me', async () => {
    const me = await call('GET', '/v1/users/@me');
    expect(me.body.letterProgress).toEqual(await progress());
    const other = await http(server.url, 'POST', '/v1/auth/register', { body: { email: `peer-${Date.now()}@example.com`, username: 'peer', password: 'correct horse battery' } });
    const seen = await http(server.url, 'GET', `/v1/users/${userId}`, { token: other.body.token });
    expect(seen.status).toBe(200);
    expect(seen.body.letterProgress).toBeUndefined();
  });
});
