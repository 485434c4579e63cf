import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type RunningServer } from '../../src/server.ts';
import { ApiClient, startTestServer, type ApiResponse } from '../support/api.ts';

// Two API instances on the same engines: `a` runs the lanes (and keeps at most 4 documents in its cache), `b` runs
// none and learns of the lanes' advances from Redis, as a second API node does. Each test primes the caches before
// it writes, so that a stale entry would show.
let t: Awaited<ReturnType<typeof startTestServer>>;
let b: RunningServer;
let a: ApiClient;
let viaB: ApiClient;
beforeAll(async () => {
  t = await startTestServer('document_cache', { DOCUMENT_CACHE_ENTRIES: '4' });
  a = t.api;
  b = await createServer({ ...t.server.services.config, RUN_PROJECTIONS: false, DOCUMENT_CACHE_ENTRIES: 10_000 }, pino({ level: 'silent' }));
  await b.app.ready();
  viaB = new ApiClient(b.app);
});
afterAll(async () => {
  await b?.close();
  await t?.close();
});

type User = Awaited<ReturnType<ApiClient['register']>>;
const at = (res: ApiResponse) => ({ 'x-min-position': String(res.headers['x-event-position']) });

async function ok(client: ApiClient, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token: string, body?: unknown, headers?: Record<string, string>) {
  const res = await client.request(method, url, { token, ...(body !== undefined && { body }), ...(headers && { headers }) });
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res;
}

/** A revolt of `owner` (created through `a`) joined by `members`; the last response's position is where all of it is. */
async function revoltWith(owner: User, members: User[], settings: object = {}) {
  let last = await ok(a, 'POST', '/v1/revolts', owner.token, { name: 'Cached', settings });
  const revolt = last.body as { id: string; inviteCode: string };
  for (const member of members) last = await ok(a, 'POST', `/v1/invites/${revolt.inviteCode}`, member.token);
  return { id: revolt.id, inviteCode: revolt.inviteCode, joined: at(last) };
}

describe('hot documents served from each instance’s cache', () => {
  it('a write through one instance is read at its position through the other, whatever the other had cached', async () => {
    const [owner, member, late] = await Promise.all([a.register('cowner'), a.register('cmember'), a.register('clate')]);
    const revolt = await revoltWith(owner, [member]);
    const prime = async () => {
      for (const url of [`/v1/revolts/${revolt.id}`, `/v1/revolts/${revolt.id}/members`, `/v1/revolts/${revolt.id}/channels`, '/v1/users/@me', `/v1/users/${owner.id}`]) {
        await ok(viaB, 'GET', url, member.token, undefined, revolt.joined);
        await ok(viaB, 'GET', url, member.token, undefined, revolt.joined);
      }
    };
    const before = b.services.documents.stats().entries;
    await prime();
    // Five documents cached: the revolt, its members, its channels, the member's own profile, the owner's public one.
    expect(b.services.documents.stats().entries - before).toBe(5);

    const renamed = await ok(a, 'PATCH', `/v1/revolts/${revolt.id}`, owner.token, { name: 'Renamed' });
    expect((await ok(viaB, 'GET', `/v1/revolts/${revolt.id}`, member.token, undefined, at(renamed))).body.name).toBe('Renamed');
    // The owner's own write, without asking: their reads wait for their last command wherever they land.
    expect((await ok(viaB, 'GET', `/v1/revolts/${revolt.id}`, owner.token)).body.name).toBe('Renamed');

    const channel = await ok(a, 'POST', `/v1/revolts/${revolt.id}/channels`, owner.token, { name: 'fresh' });
    const channels = (await ok(viaB, 'GET', `/v1/revolts/${revolt.id}/channels`, member.token, undefined, at(channel))).body.items as Array<{ id: string }>;
    expect(channels.map((c) => c.id)).toContain(channel.body.id);

    const joined = await ok(a, 'POST', `/v1/invites/${revolt.inviteCode}`, late.token);
    const members = (await ok(viaB, 'GET', `/v1/revolts/${revolt.id}/members`, member.token, undefined, at(joined))).body.items as Array<{ userId: string }>;
    expect(members.map((m) => m.userId)).toEqual([owner.id, member.id, late.id]);

    await ok(a, 'PATCH', '/v1/users/@me', member.token, { bio: 'now cached' });
    expect((await ok(viaB, 'GET', '/v1/users/@me', member.token)).body.bio).toBe('now cached');
    const profile = await ok(a, 'PATCH', '/v1/users/@me', owner.token, { bio: 'the owner' });
    expect((await ok(viaB, 'GET', `/v1/users/${owner.id}`, member.token, undefined, at(profile))).body.bio).toBe('the owner');

  });

  it('an instance hears another’s lane advances at once, so readers who ask for no position see writes too', async () => {
    const [owner, member] = await Promise.all([a.register('howner'), a.register('hmember')]);
    const revolt = await revoltWith(owner, [member]);
    await ok(viaB, 'GET', `/v1/revolts/${revolt.id}`, member.token, undefined, revolt.joined);
    const renamed = await ok(a, 'PATCH', `/v1/revolts/${revolt.id}`, owner.token, { name: 'Heard' });
    const position = Number(renamed.headers['x-event-position']);
    // Nobody waits on `b` (no read asks it for a position): only the broadcast can tell it.
    const deadline = Date.now() + 1_000;
    while (b.engine.progress.position('revolts') < position && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(b.engine.progress.position('revolts')).toBeGreaterThanOrEqual(position);
    expect((await ok(viaB, 'GET', `/v1/revolts/${revolt.id}`, member.token)).body.name).toBe('Heard');
  });

  it('permissions are checked on every read, whatever is cached: hidden revolts, kicked members, private channels, private fields', async () => {
    const [owner, member, outsider] = await Promise.all([a.register('powner'), a.register('pmember'), a.register('poutsider')]);
    const revolt = await revoltWith(owner, [member], { isPublic: false });
    const secret = await ok(a, 'POST', `/v1/revolts/${revolt.id}/channels`, owner.token, { name: 'secret', settings: { isPrivate: true } });
    const asOwner = at(secret);
    for (const url of [`/v1/revolts/${revolt.id}`, `/v1/revolts/${revolt.id}/members`, `/v1/revolts/${revolt.id}/channels`, '/v1/users/@me']) {
      await ok(viaB, 'GET', url, owner.token, undefined, asOwner);
    }
    const ownerSees = (await ok(viaB, 'GET', `/v1/revolts/${revolt.id}/channels`, owner.token)).body.items as Array<{ id: string }>;
    expect(ownerSees.map((c) => c.id)).toContain(secret.body.id);

    // A hidden revolt stays 404 to an outsider, its lists too.
    for (const url of [`/v1/revolts/${revolt.id}`, `/v1/revolts/${revolt.id}/members`, `/v1/revolts/${revolt.id}/channels`]) {
      expect((await viaB.request('GET', url, { token: outsider.token, headers: asOwner })).status).toBe(404);
    }
    // A private channel stays out of a member's list, and out of the revolt's channels.
    const memberSees = (await ok(viaB, 'GET', `/v1/revolts/${revolt.id}/channels`, member.token, undefined, asOwner)).body.items as Array<{ id: string }>;
    expect(memberSees.map((c) => c.id)).not.toContain(secret.body.id);
    expect((await ok(viaB, 'GET', `/v1/revolts/${revolt.id}`, member.token)).body.channels).not.toContain(secret.body.id);
    // Another's profile never shows the fields only its owner sees, though the owner's whole profile is cached.
    const seen = (await ok(viaB, 'GET', `/v1/users/${owner.id}`, member.token)).body;
    expect(seen).not.toHaveProperty('email');
    expect(seen).not.toHaveProperty('revoltMemberships');

    // A kicked member sees nothing more from the very next request, on either instance.
    await ok(a, 'DELETE', `/v1/revolts/${revolt.id}/members/${member.id}`, owner.token);
    for (const client of [a, viaB]) {
      for (const url of [`/v1/revolts/${revolt.id}`, `/v1/revolts/${revolt.id}/members`, `/v1/revolts/${revolt.id}/channels`]) {
        expect((await client.request('GET', url, { token: member.token })).status).toBe(404);
      }
    }
  });

  it('keeps no more documents than it is allowed, and still answers each read right', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => a.register(`bounded${i}`)));
    const reader = users[0]!;
    for (const user of users.slice(1)) {
      expect((await ok(a, 'GET', `/v1/users/${user.id}`, reader.token, undefined, { 'x-min-position': String(user.position) })).body.username).toBe(user.username);
    }
    expect(t.server.services.documents.stats().entries).toBeLessThanOrEqual(4);
  });
});
