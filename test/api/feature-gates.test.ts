import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LetterDefinition } from '../../src/commands/course/events.ts';
import { readCourseFolder, SHIPPED_COURSE_DIR } from '../../src/commands/course/folder.ts';
import type { Feature } from '../../src/commands/progress/features.ts';
import { startTestServer } from '../support/api.ts';

/**
 * The camera, the screen share and donations, gated by the shipped course (imported at start as `npm start` does):
 * refused with 403 feature_locked naming the letter that unlocks them, then allowed once the user has walked the
 * course up to it.
 */
let t: Awaited<ReturnType<typeof startTestServer>>;
type User = Awaited<ReturnType<typeof t.api.register>>;
let course: Map<number, LetterDefinition>;
let owner: User;
let donor: User;
let revoltId: string;
let voiceChannel: string;
/** The letters `owner` has completed: 1 to walked. */
let walked = 0;

/** The lowest letter of the shipped course that unlocks `feature`. */
const unlocking = (feature: Feature) => Math.min(...[...course.values()].filter((l) => l.unlocks.includes(feature)).map((l) => l.letterId));

/** Completes the letters after those walked up to `last`, answering every required assignment rightly. */
async function walkTo(user: User, last: number): Promise<void> {
  for (let n = walked + 1; n <= last; n += 1) {
    for (const assignment of course.get(n)!.assignments.filter((a) => a.required)) {
      const response = assignment.kind === 'quiz' ? assignment.answer : 'I have thought about this carefully. '.repeat(Math.ceil(assignment.minLength / 30));
      const submitted = await t.api.request('POST', `/v1/letters/${n}/assignments/${assignment.id}`, { token: user.token, body: { response } });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    }
    const completed = await t.api.request('POST', `/v1/letters/${n}/complete`, { token: user.token });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
  }
  walked = last;
}

const locked = (res: { status: number; body: any }, feature: Feature) => {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.error).toMatchObject({ code: 'feature_locked', details: { letterId: unlocking(feature), feature } });
};
const selfPatch = (body: object) => t.api.request('PATCH', `/v1/channels/${voiceChannel}/voice/members/@me`, { token: owner.token, body });
const turnDonations = (on: boolean) => t.api.request('PATCH', `/v1/revolts/${revoltId}`, { token: owner.token, body: { settings: { donationsEnabled: on } } });
const pledge = () => t.api.request('POST', `/v1/revolts/${revoltId}/donations`, { token: donor.token, body: { amount: 500, currency: 'usd', isAnonymous: false } });

beforeAll(async () => {
  course = new Map((await readCourseFolder(SHIPPED_COURSE_DIR)).map((letter) => [letter.letterId, letter]));
  t = await startTestServer('gates', { IMPORT_COURSE: 'true' });
  [owner, donor] = await Promise.all([t.api.register('gowner'), t.api.register('gdonor')]);
  await walkTo(owner, unlocking('create_revolt'));
  const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Gated' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  revoltId = created.body.id;
  const channel = await t.api.request('POST', `/v1/revolts/${revoltId}/channels`, { token: owner.token, body: { name: 'talk', type: 'voice', settings: {} } });
  expect(channel.status, JSON.stringify(channel.body)).toBe(201);
  voiceChannel = channel.body.id;
  expect((await t.api.request('PUT', `/v1/channels/${voiceChannel}/voice/members/@me`, { token: owner.token, body: {} })).status).toBe(200);
}, 120_000);
afterAll(() => t?.close());

describe('features the shipped course unlocks', () => {
  it.each([
    ['video', 'turning the camera on', { video: true }, { isVideoEnabled: true }],
    ['screen_share', 'sharing the screen', { screenShare: true }, { isScreenSharing: true }],
  ] as const)('%s: %s is refused before its letter, allowed after', async (feature, _what, patch, shown) => {
    expect(unlocking(feature)).toBeGreaterThan(walked);
    locked(await selfPatch(patch), feature);
    await walkTo(owner, unlocking(feature));
    const on = await selfPatch(patch);
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.participant).toMatchObject(shown);
  }, 60_000);

  it('enable_donations: a revolt made before its letter refuses pledges; turning donations on is refused, then allowed', async () => {
    expect(unlocking('enable_donations')).toBeGreaterThan(walked);
    const shown = await t.api.request('GET', `/v1/revolts/${revoltId}`, { token: owner.token });
    expect(shown.body.settings).toMatchObject({ donationsEnabled: false });
    const refused = await pledge();
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.error.code).toBe('donations_disabled');
    locked(await turnDonations(true), 'enable_donations');
    await walkTo(owner, unlocking('enable_donations'));
    const on = await turnDonations(true);
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.settings).toMatchObject({ donationsEnabled: true });
    const accepted = await pledge();
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
  }, 60_000);
});
