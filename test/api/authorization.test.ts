import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRoster } from '../../src/commands/staff/roster.ts';
import { startTestServer, type ApiResponse } from '../support/api.ts';
import { operationsOf } from '../support/hostile/openapi.ts';
import { reactorsSettled, recordPublishes } from '../support/hostile/settle.ts';
import { writeReliabilityPart } from '../support/hostile/tally.ts';
import { ACTORS, MATRIX, type Actor, type MatrixRow } from './authorization-matrix.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('authorization', { RATE_LIMIT_SCALE: '1000' });
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const pos = (res: ApiResponse) => ({ 'x-min-position': String(res.headers['x-event-position']) });
const head = () => t.server.services.store.headPosition();

/** An owner's public revolt, joined by `members` in order. */
async function revoltWith(owner: User, members: User[], name: string) {
  const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name } });
  expect(created.status).toBe(201);
  for (const m of members) expect((await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: m.token })).status).toBe(200);
  const everyone = (created.body.roles as Array<{ id: string; name: string }>).find((r) => r.name === '@everyone')!.id;
  return { id: created.body.id as string, general: created.body.channels[0] as string, invite: created.body.inviteCode as string, everyone };
}

/** The owner's HTTP calls that must succeed; each returns the response (for its position). */
function ownerOf(owner: User, revoltId: string) {
  async function ok(method: 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown): Promise<ApiResponse> {
    const res = await t.api.request(method, url, { token: owner.token, ...(body !== undefined && { body }) });
    expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res;
  }
  return {
    ok,
    role: async (body: object) => (await ok('POST', `/v1/revolts/${revoltId}/roles`, { color: '#123456', ...body })).body.id as string,
    channel: async (body: object) => (await ok('POST', `/v1/revolts/${revoltId}/channels`, body)).body.id as string,
    grant: (userId: string, roleId: string) => ok('PUT', `/v1/revolts/${revoltId}/members/${userId}/roles/${roleId}`),
    letIn: (channelId: string, type: 'role' | 'member', targetId: string) => ok('PUT', `/v1/channels/${channelId}/permissions/${targetId}`, { type, allow: ['VIEW_CHANNEL'] }),
  };
}

describe('granting roles', () => {
  it('a member with MANAGE_ROLES at position 5 cannot grant itself a role holding ADMINISTRATOR at position 3: 403, nothing appended', async () => {
    const [owner, climber] = await Promise.all([t.api.register('gowner'), t.api.register('gclimber')]);
    const revolt = await revoltWith(owner, [climber], 'Ladder');
    const as = ownerOf(owner, revolt.id);
    const managers = await as.role({ name: 'managers', permissions: ['MANAGE_ROLES'], position: 5 });
    const admins = await as.role({ name: 'admins', permissions: ['ADMINISTRATOR'], position: 3 });
    await as.grant(climber.id, managers);
    const secret = await as.channel({ name: 'secret', settings: { isPrivate: true } });

    const before = await head();
    const attack = await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${climber.id}/roles/${admins}`, { token: climber.token });
    expect(attack.status).toBe(403);
    expect(attack.body).toEqual({ error: { code: 'forbidden', message: expect.any(String), details: { missing: ['ADMINISTRATOR'] } } });
    expect(await head()).toBe(before);
    // What the role would have opened stays shut.
    expect((await t.api.request('GET', `/v1/channels/${secret}/messages`, { token: climber.token })).status).toBe(404);
    expect((await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: climber.token, body: { name: 'Mine now' } })).status).toBe(403);
    expect(await head()).toBe(before);

    // A role below theirs whose permissions they hold is still theirs to grant and revoke.
    const helpers = await as.role({ name: 'helpers', permissions: ['MANAGE_ROLES'], position: 2 });
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${climber.id}/roles/${helpers}`, { token: climber.token })).status).toBe(204);
    expect((await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/${climber.id}/roles/${helpers}`, { token: climber.token })).status).toBe(204);
  });
});

describe('private channels', () => {
  it('exist only for the owner and those a member or role overwrite lets in, on every read', async () => {
    const [owner, plain, invited, ranked] = await Promise.all(['vowner', 'vplain', 'vinvited', 'vranked'].map((n) => t.api.register(n)));
    const revolt = await revoltWith(owner, [plain, invited, ranked], 'Secrets');
    const as = ownerOf(owner, revolt.id);
    const insiders = await as.role({ name: 'insiders' });
    await as.grant(ranked.id, insiders);
    const secret = await as.channel({ name: 'secret', settings: { isPrivate: true } });
    const vault = await as.channel({ name: 'vault', type: 'voice', settings: { isPrivate: true } });
    for (const channel of [secret, vault]) {
      await as.letIn(channel, 'member', invited.id);
      await as.letIn(channel, 'role', insiders);
    }
    const sent = await as.ok('POST', `/v1/channels/${secret}/messages`, { content: 'the private plan' });
    const last = await as.ok('PUT', `/v1/channels/${secret}/pins/${sent.body.id}`);

    const reads = (user: User) => ({
      list: () => t.api.request('GET', `/v1/revolts/${revolt.id}/channels`, { token: user.token, headers: pos(last) }),
      messages: () => t.api.request('GET', `/v1/channels/${secret}/messages`, { token: user.token, headers: pos(last) }),
      message: () => t.api.request('GET', `/v1/channels/${secret}/messages/${sent.body.id}`, { token: user.token, headers: pos(last) }),
      pins: () => t.api.request('GET', `/v1/channels/${secret}/pins`, { token: user.token, headers: pos(last) }),
      recent: () => t.api.request('GET', `/v1/revolts/${revolt.id}/messages/recent`, { token: user.token, headers: pos(last) }),
      search: () => t.api.request('GET', `/v1/revolts/${revolt.id}/messages/search?q=private%20plan`, { token: user.token, headers: pos(last) }),
      voice: () => t.api.request('GET', `/v1/channels/${vault}/voice`, { token: user.token }),
      send: () => t.api.request('POST', `/v1/channels/${secret}/messages`, { token: user.token, body: { content: 'let me in' } }),
    });
    const ids = (res: ApiResponse) => (res.body.items as Array<{ id: string }>).map((i) => i.id);

    const shut = reads(plain);
    const listed = await shut.list();
    expect(ids(listed)).toContain(revolt.general);
    expect(ids(listed)).not.toContain(secret);
    expect(ids(listed)).not.toContain(vault);
    for (const read of [shut.messages, shut.message, shut.pins]) {
      const res = await read();
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'not_found', message: 'channel not found' });
    }
    expect(ids(await shut.recent())).not.toContain(sent.body.id);
    expect((await shut.search()).body.items).toEqual([]);
    expect((await shut.voice()).body.error.message).toBe('channel not found');
    const before = await head();
    expect((await shut.send()).status).toBe(404);
    expect(await head()).toBe(before);

    for (const user of [owner, invited, ranked]) {
      const open = reads(user);
      expect(ids(await open.list())).toEqual(expect.arrayContaining([secret, vault]));
      expect(ids(await open.messages())).toEqual([sent.body.id]);
      expect((await open.message()).status).toBe(200);
      expect(ids(await open.pins())).toEqual([sent.body.id]);
      expect(ids(await open.recent())).toContain(sent.body.id);
      expect(ids(await open.search())).toEqual([sent.body.id]);
      // The channel is there for them; it merely has no session yet.
      expect((await open.voice()).body.error.message).toBe('voice session not found');
    }
  });

  it('making a channel private shuts it at once; attachments posted there follow the channel', async () => {
    const [owner, plain, invited] = await Promise.all(['powner', 'pplain', 'pinvited'].map((n) => t.api.register(n)));
    const revolt = await revoltWith(owner, [plain, invited], 'Closing');
    const as = ownerOf(owner, revolt.id);
    const lounge = await as.channel({ name: 'lounge' });
    await as.letIn(lounge, 'member', invited.id);
    const upload = await t.server.app.inject({
      method: 'POST',
      url: '/v1/attachments',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'multipart/form-data; boundary=rnb' },
      payload: '--rnb\r\nContent-Disposition: form-data; name="file"; filename="plan.txt"\r\nContent-Type: text/plain\r\n\r\nthe plan\r\n--rnb--\r\n',
    });
    expect(upload.statusCode).toBe(201);
    const file = JSON.parse(upload.body) as { id: string; url: string };
    await as.ok('POST', `/v1/channels/${lounge}/messages`, { content: 'see attached', attachments: [file.id] });
    const download = (user: User) => t.server.app.inject({ method: 'GET', url: file.url, headers: { authorization: `Bearer ${user.token}` } });
    expect((await download(plain)).statusCode).toBe(200);
    expect((await t.api.request('GET', `/v1/channels/${lounge}/messages`, { token: plain.token })).status).toBe(200);

    await as.ok('PATCH', `/v1/channels/${lounge}`, { settings: { isPrivate: true } });
    expect((await t.api.request('GET', `/v1/channels/${lounge}/messages`, { token: plain.token })).status).toBe(404);
    expect((await download(plain)).statusCode).toBe(404);
    expect((await t.api.request('GET', `/v1/channels/${lounge}/messages`, { token: invited.token })).status).toBe(200);
    expect((await download(invited)).statusCode).toBe(200);
  });
});

describe('revolt documents name only the channels the caller may view', () => {
  it('GET /revolts/:id, discovery, my revolts and a join leave out hidden channels and categories', async () => {
    const name = `Hidden Names ${Math.random().toString(36).slice(2, 8)}`;
    const [owner, member, stranger, late] = await Promise.all(['howner', 'hmember', 'hstranger', 'hlate'].map((n) => t.api.register(n)));
    const revolt = await revoltWith(owner, [member], name);
    const as = ownerOf(owner, revolt.id);
    const staff = await as.channel({ name: 'Staff Room', type: 'category', settings: { isPrivate: true } });
    const staffChat = await as.channel({ name: 'staff-chat', categoryId: staff, settings: { isPrivate: true } });
    const hall = await as.channel({ name: 'Hall', type: 'category' });
    const lobby = await as.channel({ name: 'lobby', categoryId: hall });
    const backstage = await as.channel({ name: 'backstage', categoryId: hall });
    const last = await as.ok('PUT', `/v1/channels/${backstage}/permissions/${revolt.everyone}`, { type: 'role', deny: ['VIEW_CHANNEL'] });

    const everything = [revolt.general, staff, staffChat, hall, lobby, backstage];
    const seen = (await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token, headers: pos(last) })).body;
    expect(seen.channels).toEqual(everything);
    expect(seen.categories.map((c: { name: string }) => c.name)).toEqual(['Staff Room', 'Hall']);

    const everyoneView = (doc: { channels: string[]; categories: unknown[] }) => {
      expect(doc.channels).toEqual([revolt.general, hall, lobby]);
      expect(doc.categories).toEqual([{ id: hall, name: 'Hall', position: expect.any(Number), channels: [lobby], collapsed: false }]);
      expect(JSON.stringify(doc)).not.toMatch(new RegExp(`Staff Room|${staff}|${staffChat}|${backstage}`));
    };
    for (const user of [member, stranger]) everyoneView((await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: user.token, headers: pos(last) })).body);
    const discovered = await t.api.request('GET', `/v1/revolts?q=${encodeURIComponent(name)}`, { token: stranger.token, headers: pos(last) });
    expect(discovered.body.items).toHaveLength(1);
    everyoneView(discovered.body.items[0]);
    const mine = await t.api.request('GET', '/v1/users/@me/revolts', { token: member.token, headers: pos(last) });
    everyoneView(mine.body.items.find((r: { id: string }) => r.id === revolt.id));
    const joined = await t.api.request('POST', `/v1/invites/${revolt.invite}`, { token: late.token });
    expect(joined.body.channels).toEqual([revolt.general, hall, lobby]);

    // An overwrite lets the member in: the channel and its category's entry appear for them alone.
    const opened = await as.letIn(backstage, 'member', member.id);
    const theirs = (await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: member.token, headers: pos(opened) })).body;
    expect(theirs.channels).toEqual([revolt.general, hall, lobby, backstage]);
    expect(theirs.categories).toEqual([expect.objectContaining({ id: hall, channels: [lobby, backstage] })]);
    everyoneView((await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: stranger.token, headers: pos(opened) })).body);
  });
});

describe('the authorisation matrix (authorization-matrix.ts)', () => {
  const MODERATION = ['MANAGE_REVOLT', 'MANAGE_CHANNELS', 'MANAGE_ROLES', 'MANAGE_MESSAGES', 'KICK_MEMBERS', 'BAN_MEMBERS', 'MUTE_MEMBERS', 'DEAFEN_MEMBERS', 'MOVE_MEMBERS', 'CREATE_INVITES'];
  let callers: Record<Exclude<Actor, 'anonymous'>, User> & { target: User };

  /** A public revolt with every caller in its place, the target's role and message, a voice and a spare channel. */
  async function world(): Promise<Record<string, string>> {
    const { owner, member, memberWithout, moderatorBelow, target, outsider } = callers;
    const revolt = await revoltWith(owner, [member, memberWithout, moderatorBelow, target], 'Matrix');
    const as = ownerOf(owner, revolt.id);
    const [managers, juniors, targets, spare] = [
      await as.role({ name: 'managers', permissions: MODERATION, position: 8 }),
      await as.role({ name: 'juniors', permissions: MODERATION, position: 2 }),
      await as.role({ name: 'targets', position: 5 }),
      await as.role({ name: 'spare', position: 1 }),
    ];
    await as.grant(member.id, managers);
    await as.grant(moderatorBelow.id, juniors);
    await as.grant(target.id, targets);
    const voiceChannelId = await as.channel({ name: 'voice', type: 'voice' });
    const spareChannelId = await as.channel({ name: 'spare' });
    const message = await t.api.request('POST', `/v1/channels/${revolt.general}/messages`, { token: target.token, body: { content: 'the target speaks' } });
    expect(message.status).toBe(201);
    const none = '0'.repeat(24);
    return {
      revoltId: revolt.id,
      channelId: revolt.general,
      messageId: message.body.id,
      roleId: targets,
      spareRoleId: spare,
      userId: target.id,
      targetUserId: target.id,
      targetId: target.id,
      outsiderUserId: outsider.id,
      code: revolt.invite,
      emoji: encodeURIComponent('👍'),
      username: target.username,
      discriminator: target.discriminator,
      voiceChannelId,
      spareChannelId,
      n: '30',
      assignmentId: 'reflect',
      donationId: none,
      attachmentId: none,
      '*': 'file.txt',
      name: 'no-such-report',
      inviteId: none,
      id: none,
      position: String(message.headers['x-event-position']),
    };
  }

  async function call(operation: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string }, entry: MatrixRow, actor: Actor, ids: Record<string, string>) {
    const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => ids[entry.params?.[name] ?? name]!);
    const url = entry.query ? `${path}?${entry.query}` : path;
    const token = actor === 'anonymous' ? undefined : callers[actor].token;
    const body = entry.body?.(ids);
    return t.api.request(operation.method, url, { ...(token && { token }), ...(body !== undefined && { body }), headers: { 'x-min-position': ids.position! } });
  }

  it('every documented route, every caller: the documented answer; a refused request appends nothing', async () => {
    const names = ['owner', 'member', 'memberWithout', 'moderatorBelow', 'target', 'outsider', 'staff'] as const;
    const users = await Promise.all(names.map((n) => t.api.register(`mx${n.toLowerCase()}`)));
    callers = Object.fromEntries(names.map((n, i) => [n, users[i]!])) as typeof callers;
    for (const role of ['operator', 'auditor', 'analyst'] as const) {
      await changeRoster(t.server.services.commands, { type: 'Grant', userId: callers.staff.id, role, by: 'operator:test', at: new Date().toISOString() }, { actorId: 'operator:test', correlationId: `m${role}`, causationId: `m${role}` });
    }
    const operations = operationsOf((await t.api.request('GET', '/openapi.json')).body);
    expect(operations.map((o) => o.id).filter((id) => !(id in MATRIX)), 'routes missing from authorization-matrix.ts').toEqual([]);
    expect(Object.keys(MATRIX).filter((id) => !operations.some((o) => o.id === id)), 'rows of routes /openapi.json no longer has').toEqual([]);

    const published = await recordPublishes(t.server);
    const mismatches: string[] = [];
    // One revolt for every cell, rebuilt only after a success that changed what the next caller would meet.
    let ids = await world();
    // Each caller of the logout signs themself out for every later cell: it goes last.
    const ordered = [...operations].sort((a, b) => Number(a.path === '/v1/auth/logout') - Number(b.path === '/v1/auth/logout'));
    for (const operation of ordered) {
      const entry = MATRIX[operation.id]!;
      for (const actor of ACTORS) {
        const before = await head();
        const res = await call(operation, entry, actor, ids);
        const expected = entry.answers[actor];
        if (res.status !== expected) mismatches.push(`${operation.id} as ${actor}: ${res.status} (expected ${expected}) ${JSON.stringify(res.body?.error ?? '').slice(0, 140)}`);
        if (res.status >= 400 && (await head()) !== before) mismatches.push(`${operation.id} as ${actor}: refused with ${res.status} yet appended`);
        // What an accepted command sets off (notifications, system messages) is not taken for the next cell's doing.
        if (res.status < 300 && operation.method !== 'GET') await reactorsSettled(t.server, published.channels);
        if (entry.destructive && res.status < 300 && operation.path !== '/v1/auth/logout') ids = await world();
      }
    }
    await published.close();
    if (process.env.UPDATE_DOCS === '1') {
      writeReliabilityPart(
        'matrix',
        '### The authorisation matrix (`test/api/authorization.test.ts`, table `test/api/authorization-matrix.ts`)\n\n' +
          `${operations.length} routes × ${ACTORS.length} callers (${ACTORS.join(', ')}) = ${operations.length * ACTORS.length} cells, ` +
          'each checked for its status; every refused cell for nothing appended.',
      );
    }
    expect(mismatches).toEqual([]);
  }, 600_000);
});
