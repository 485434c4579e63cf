import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_COURSE_DIR } from '../../src/commands/course/folder.ts';
import { importCourseIfNone } from '../../src/commands/course/import.ts';
import { changeRoster } from '../../src/commands/staff/roster.ts';
import { startTestServer } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
type User = Awaited<ReturnType<typeof t.api.register>>;
let reader: User;
let operator: User;
let auditor: User;

const grant = (userId: string, role: 'operator' | 'auditor') =>
  changeRoster(t.server.services.commands, { type: 'Grant', userId, role, by: 'operator:test', at: new Date().toISOString() }, { actorId: 'operator:test', correlationId: 'g', causationId: 'g' });

/** Every position the store had reached: what a read passes as X-Min-Position to see everything before it. */
const head = async () => ({ 'x-min-position': String(await t.server.services.store.headPosition()) });
const get = async (url: string, user: User) => t.api.request('GET', url, { token: user.token, headers: await head() });
const courseLength = async () => (await t.server.services.store.readStream('course')).length;

/** A letter 31 cannot be; the body of a new letter 30 (after retiring the shipped one). */
const body = {
  book: 'revolution',
  order: 7,
  title: 'Letting It Outlive You',
  content: 'A new closing letter.\n\nWith two paragraphs.',
  prerequisites: [29],
  estimatedReadTime: 3,
  unlocks: [],
  assignments: [
    { id: 'reflect', kind: 'reflection', prompt: 'Who carries it on?', minLength: 100, required: true },
    { id: 'check', kind: 'quiz', question: 'Which?', options: ['this', 'that', 'neither'], answer: 2, required: false },
  ],
};

beforeAll(async () => {
  // As `npm start` does on an empty store: the shipped course is imported at start.
  t = await startTestServer('letters', { IMPORT_COURSE: 'true' });
  [reader, operator, auditor] = await Promise.all([t.api.register('lreader'), t.api.register('loperator'), t.api.register('lauditor')]);
  await grant(operator.id, 'operator');
  await grant(auditor.id, 'auditor');
});
afterAll(() => t?.close());

describe('the shipped course', () => {
  it('is imported at start into an empty store, once', async () => {
    const events = await t.server.services.store.readStream('course');
    expect(events.map((e) => e.type)).toEqual(Array(30).fill('LetterPublished'));
    expect(await importCourseIfNone(t.server.services.commands, SHIPPED_COURSE_DIR)).toBeNull();
    expect(await courseLength()).toBe(30);
  });
});

describe('reading letters', () => {
  it('lists the 30 letters in order; a newcomer has letter 1 unlocked and sees the others locked, without content', async () => {
    const res = await get('/v1/letters', reader);
    expect(res.status).toBe(200);
    const items = res.body.items as Record<string, unknown>[];
    expect(items.map((l) => l.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(items[0]).toMatchObject({ id: 1, title: 'Why a Revolt?', book: 'awakening', order: 1, isUnlocked: true, prerequisites: [], revision: 1 });
    expect(items[0]!.content).toMatch(/^# Why a Revolt\?/);
    expect(items[0]!.assignments).toEqual([
      expect.objectContaining({ id: 'reflect-three-faces', kind: 'reflection', minLength: 150, required: true }),
      expect.objectContaining({ id: 'check-what-you-build', kind: 'quiz', options: expect.any(Array), required: true }),
    ]);
    const locked = items[1]!;
    expect(locked).toMatchObject({ id: 2, title: 'Finding Your Purpose', book: 'awakening', isUnlocked: false, prerequisites: [1], unlocks: ['create_revolt'] });
    expect(locked).not.toHaveProperty('content');
    expect(locked).not.toHaveProperty('assignments');
    expect(items.filter((l) => l.isUnlocked)).toHaveLength(1);
  });

  it('quiz answers never leave the server: not in a read, not in the read model', async () => {
    expect(JSON.stringify((await get('/v1/letters', reader)).body)).not.toContain('"answer"');
    const stored = await t.server.services.db.collection('letters').find({}).toArray();
    expect(stored).toHaveLength(30);
    expect(JSON.stringify(stored)).not.toContain('"answer"');
  });

  it('unlocks per user, from the letters the user has completed (users.letterProgress)', async () => {
    const users = t.server.services.db.collection('users');
    const other = await t.api.register('lprogressed');
    await get('/v1/users/@me', other);
    // What the progress handlers record when the user completes letter 1.
    await users.updateOne({ id: other.id }, { $set: { 'letterProgress.completedLetters': [1] } });
    const mine = (await get('/v1/letters', other)).body.items as Record<string, unknown>[];
    expect(mine.filter((l) => l.isUnlocked).map((l) => l.id)).toEqual([1, 2]);
    expect((await get('/v1/letters/2', other)).body.content).toMatch(/^# Finding Your Purpose/);
    expect((await get('/v1/letters/2', reader)).body).not.toHaveProperty('content');
  });

  it('reads one letter; a number outside 1..30 is 400', async () => {
    const one = await get('/v1/letters/1', reader);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: 1, isUnlocked: true, estimatedReadTime: 2 });
    for (const n of ['0', '31', 'x', '1.5']) expect((await get(`/v1/letters/${n}`, reader)).status, n).toBe(400);
    expect((await t.api.request('GET', '/v1/letters')).status).toBe(401);
  });
});

describe('operators change the course', () => {
  it('only operators: others get 403 and nothing is appended', async () => {
    const before = await courseLength();
    for (const user of [reader, auditor]) {
      expect((await t.api.request('DELETE', '/v1/letters/30', { token: user.token })).status).toBe(403);
      expect((await t.api.request('PATCH', '/v1/letters/30', { token: user.token, body: { title: 'Mine' } })).status).toBe(403);
      expect((await t.api.request('PUT', '/v1/letters/30', { token: user.token, body })).status).toBe(403);
      expect((await t.api.request('POST', '/v1/letters', { token: user.token, body: { letterId: 30, ...body } })).status).toBe(403);
    }
    expect(await courseLength()).toBe(before);
  });

  it('retire, publish again, revise with PUT and PATCH; a change that changes nothing appends nothing', async () => {
    const token = operator.token;
    const retired = await t.api.request('DELETE', '/v1/letters/30', { token });
    expect(retired.status).toBe(204);
    expect((await get('/v1/letters/30', reader)).status).toBe(404);
    expect(((await get('/v1/letters', reader)).body.items as unknown[]).length).toBe(29);

    const published = await t.api.request('POST', '/v1/letters', { token, body: { letterId: 30, ...body } });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ id: 30, title: body.title, revision: 2, content: body.content });
    expect(published.body.assignments[1]).toEqual({ id: 'check', kind: 'quiz', question: 'Which?', options: ['this', 'that', 'neither'], required: false });
    expect(published.headers['x-event-position']).toBeDefined();
    expect((await t.api.request('POST', '/v1/letters', { token, body: { letterId: 30, ...body } })).status).toBe(409);

    const before = await courseLength();
    const same = await t.api.request('PUT', '/v1/letters/30', { token, body });
    expect(same.status).toBe(200);
    expect(same.headers['x-event-position']).toBeUndefined();
    const samePatch = await t.api.request('PATCH', '/v1/letters/30', { token, body: { title: body.title } });
    expect(samePatch.status).toBe(200);
    expect(await courseLength()).toBe(before);

    const patched = await t.api.request('PATCH', '/v1/letters/30', { token, body: { title: 'Passing the Torch', estimatedReadTime: 4 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: 30, title: 'Passing the Torch', estimatedReadTime: 4, content: body.content, revision: 3 });
    const put = await t.api.request('PUT', '/v1/letters/30', { token, body: { ...body, content: 'Rewritten.' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ title: body.title, content: 'Rewritten.', revision: 4 });
    expect(await courseLength()).toBe(before + 2);

    const read = await t.api.request('GET', '/v1/letters/30', { token: reader.token, headers: { 'x-min-position': String(put.headers['x-event-position']) } });
    expect(read.body).toMatchObject({ id: 30, title: body.title, revision: 4, isUnlocked: false });
    expect(JSON.stringify([published.body, patched.body, put.body])).not.toContain('"answer"');
  });

  it('bad letters are 400, broken course rules 422, unknown letters 404; nothing is appended', async () => {
    const token = operator.token;
    const before = await courseLength();
    const quiz = body.assignments[1]!;
    const refused: [string, string, unknown, number, string?][] = [
      ['POST', '/v1/letters', { letterId: 31, ...body }, 400],
      ['POST', '/v1/letters', { letterId: 30, ...body, assignments: [{ ...quiz, answer: 3 }] }, 400],
      ['PUT', '/v1/letters/30', { ...body, assignments: [] }, 400],
      ['PUT', '/v1/letters/30', { ...body, unlocks: ['teleport'] }, 400],
      ['PUT', '/v1/letters/30', { ...body, answer: 1 }, 400],
      ['PATCH', '/v1/letters/30', {}, 400],
      ['PATCH', '/v1/letters/30', { assignments: [{ ...quiz, options: ['one', 'two'] }] }, 422, 'invalid_letter'],
      ['PATCH', '/v1/letters/1', { prerequisites: [30] }, 422, 'invalid_course'],
      ['PUT', '/v1/letters/30', { ...body, prerequisites: [30] }, 422, 'invalid_course'],
      ['DELETE', '/v1/letters/1', undefined, 422, 'letter_required'],
    ];
    for (const [method, url, payload, status, code] of refused) {
      const res = await t.api.request(method as 'POST', url, { token, body: payload });
      expect(res.status, `${method} ${url} ${String(JSON.stringify(payload)).slice(0, 80)}`).toBe(status);
      if (code) expect(res.body.error.code).toBe(code);
    }
    await t.api.request('DELETE', '/v1/letters/30', { token });
    expect((await t.api.request('DELETE', '/v1/letters/30', { token })).status).toBe(404);
    expect((await t.api.request('PATCH', '/v1/letters/30', { token, body: { title: 'Gone' } })).status).toBe(404);
    expect(await courseLength()).toBe(before + 1);
  });

  it('every route is in /openapi.json', async () => {
    const doc = await t.api.request('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths['/v1/letters']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.body.paths['/v1/letters/{n}']).sort()).toEqual(['delete', 'get', 'patch', 'put']);
  });
});

describe('the letters read model', () => {
  it('rebuilt from position 0, it holds the same documents', async () => {
    const letters = t.server.services.db.collection('letters');
    await t.server.engine.waitForPosition('letters', await t.server.services.store.headPosition(), 15_000);
    const before = await letters.find().sort({ _id: 1 }).toArray();
    expect(before).toHaveLength(30);
    await letters.deleteMany({ id: { $lt: 10 } });
    await letters.updateOne({ id: 20 }, { $set: { title: 'corrupted' } });
    await t.server.engine.rebuild('letters');
    expect(await letters.find().sort({ _id: 1 }).toArray()).toEqual(before);
  });
});
