import { describe, expect, it } from 'vitest';
import { sessionDecider, sessionStream } from '../../src/commands/auth/session.ts';
import { issueToken } from '../../src/commands/auth/tokens.ts';
import { readModels } from '../../src/projections/read-models.ts';
import { startTestServer } from '../support/api.ts';
import { fileServer } from '../support/file-server.ts';

const t = fileServer('auth');

describe('register and login', () => {
  it('registers with a 4-digit discriminator and a working token; the users document has the seed shape', async () => {
    const alice = await t.api.register('alice');
    expect(alice.discriminator).toMatch(/^\d{4}$/);
    expect(alice.position).toBeGreaterThan(0);
    const me = await t.api.request('GET', '/v1/users/@me', { token: alice.token, headers: { 'x-min-position': String(alice.position) } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: alice.id,
      username: 'alice',
      email: alice.email,
      discriminator: alice.discriminator,
      status: 'online',
      userType: 'supporter',
      isVerified: false,
      letterProgress: { completedLetters: [], currentLetter: 1, totalLetters: 30 },
      achievements: [],
      stats: { revoltsJoined: 0, revoltsCreated: 0, messagesSent: 0, totalDonated: 0, totalRaised: 0 },
      revoltMemberships: [],
    });
    expect(JSON.stringify(me.body)).not.toMatch(/passwordHash|argon2|_pos/);
  });

  it('finds a user by username and discriminator, without their private fields', async () => {
    const bob = await t.api.register('bob');
    const carol = await t.api.register('carol');
    const found = await t.api.request('GET', `/v1/users/by-tag/bob/${bob.discriminator}`, {
      token: carol.token,
      headers: { 'x-min-position': String(bob.position) },
    });
    expect(found.status).toBe(200);
    expect(found.body.id).toBe(bob.id);
    expect(found.body.email).toBeUndefined();
    expect(found.body.revoltMemberships).toBeUndefined();
    const missing = await t.api.request('GET', `/v1/users/by-tag/nobody/0001`, { token: carol.token });
    expect(missing.status).toBe(404);
  });

  it('an email is taken once, whatever its case', async () => {
    const dave = await t.api.register('dave');
    const again = await t.api.request('POST', '/v1/auth/register', {
      body: { email: dave.email.toUpperCase(), username: 'dave2', password: 'correct horse battery' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
  });

  it('of 20 concurrent registrations with one email exactly one succeeds', async () => {
    const email = `race-${Date.now()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.api.request('POST', '/v1/auth/register', { body: { email, username: `racer${i}`, password: 'correct horse battery' } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
  });

  it('30 concurrent registrations of one username get 30 distinct discriminators', async () => {
    const users = await Promise.all(Array.from({ length: 30 }, () => t.api.register('samename')));
    expect(new Set(users.map((u) => u.discriminator)).size).toBe(30);
  });

  it('logs in with the right password only, and gives the same answer for unknown emails', async () => {
    const erin = await t.api.register('erin');
    const wrong = await t.api.request('POST', '/v1/auth/login', { body: { email: erin.email, password: 'wrong password' } });
    const unknown = await t.api.request('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'wrong password' } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    const ok = await t.api.request('POST', '/v1/auth/login', { body: { email: erin.email.toUpperCase(), password: 'correct horse battery' } });
    expect(ok.status).toBe(200);
    const me = await t.api.request('GET', '/v1/users/@me', { token: ok.body.token, headers: { 'x-min-position': ok.headers['x-event-position'] as string } });
    expect(me.body.id).toBe(erin.id);
  });

  it('logout revokes that token only', async () => {
    const frank = await t.api.register('frank');
    const second = await t.api.request('POST', '/v1/auth/login', { body: { email: frank.email, password: 'correct horse battery' } });
    const out = await t.api.request('POST', '/v1/auth/logout', { token: frank.token });
    expect(out.status).toBe(204);
    const after = await t.api.request('GET', '/v1/users/@me', { token: frank.token });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
    expect((await t.api.request('PUT', '/v1/users/@me/status', { token: second.body.token, body: { status: 'busy' } })).status).toBe(200);
  });

  it('an expired token is refused', async () => {
    const gina = await t.api.register('gina');
    const { sessionId, token, tokenHash } = issueToken();
    const context = { actorId: gina.id, correlationId: 'c', causationId: 'c' };
    await t.server.services.commands.execute(
      sessionStream(sessionId),
      sessionDecider,
      { type: 'StartSession', sessionId, userId: gina.id, tokenHash, expiresAt: new Date(Date.now() - 1000).toISOString() },
      context,
    );
    const res = await t.api.request('GET', '/v1/users/@me', { token });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it('requests without a valid bearer token get 401 in the one error shape', async () => {
    for (const token of [undefined, 'garbage', `${'a'.repeat(24)}.${'b'.repeat(43)}`]) {
      const res = await t.api.request('GET', '/v1/users/@me', { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });
});

describe('input validation', () => {
  it('rejects bad input with 400 and the path of each problem, before anything is stored', async () => {
    const head = await t.server.services.store.headPosition();
    const cases = [
      {},
      { email: 'not-an-email', username: 'x1', password: 'correct horse battery' },
      { email: { $gt: '' }, username: 'x1', password: 'correct horse battery' },
      { email: 'a@b.io', username: { $ne: null }, password: 'correct horse battery' },
      { email: 'a@b.io', username: 'x1', password: 'short' },
      { email: 'a@b.io', username: 'has#hash', password: 'correct horse battery' },
    ];
    for (const body of cases) {
      const res = await t.api.request('POST', '/v1/auth/register', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details.length).toBeGreaterThan(0);
      expect(res.body.error.details[0].path).toMatch(/^body/);
    }
    expect(await t.server.services.store.headPosition()).toBe(head);
  });

  it('refuses unknown profile fields and malformed JSON', async () => {
    const hank = await t.api.register('hank');
    const unknown = await t.api.request('PATCH', '/v1/users/@me', { token: hank.token, body: { isVerified: true } });
    expect(unknown.status).toBe(400);
    const res = await t.server.app.inject({
      method: 'POST',
      url: '/v1/revolts',
      headers: { authorization: `Bearer ${hank.token}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('invalid_request');
  });

  it('unknown routes are 404 in the error shape', async () => {
    const res = await t.api.request('GET', '/v1/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('read-your-writes and idempotency', () => {
  it('X-Min-Position beyond the head answers 503 with Retry-After; a malformed one is 400', async () => {
    // A server of its own that gives up waiting soon.
    const impatient = await startTestServer('authwait', { READ_YOUR_WRITES_TIMEOUT_MS: '400' });
    try {
      const ivy = await impatient.api.register('ivy');
      const far = await impatient.api.request('GET', '/v1/users/@me', { token: ivy.token, headers: { 'x-min-position': '999999999' } });
      expect(far.status).toBe(503);
      expect(far.headers['retry-after']).toBe('1');
      const bad = await impatient.api.request('GET', '/v1/users/@me', { token: ivy.token, headers: { 'x-min-position': 'soon' } });
      expect(bad.status).toBe(400);
    } finally {
      await impatient.close();
    }
  });

  it('a retried command with the same Idempotency-Key returns the first answer and appends nothing', async () => {
    const jack = await t.api.register('jack');
    const send = (name: string) =>
      t.api.request('POST', '/v1/revolts', { token: jack.token, body: { name }, headers: { 'idempotency-key': 'create-revolt-1' } });
    const first = await send('Jack Rebels');
    const head = await t.server.services.store.headPosition();
    const second = await send('Jack Rebels');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['x-event-position']).toBe(first.headers['x-event-position']);
    expect(await t.server.services.store.headPosition()).toBe(head);
    const reused = await send('Another Name');
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  it('keys are scoped per user', async () => {
    const [kim, lee] = await Promise.all([t.api.register('kim'), t.api.register('lee')]);
    const headers = { 'idempotency-key': 'same-key' };
    const a = await t.api.request('POST', '/v1/revolts', { token: kim.token, body: { name: 'Same' }, headers });
    const b = await t.api.request('POST', '/v1/revolts', { token: lee.token, body: { name: 'Same' }, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).not.toBe(b.body.id);
  });
});

describe('operations', () => {
  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await t.api.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/v1/auth/register', '/v1/revolts', '/v1/channels/{channelId}/messages']));
    const register = res.body.paths['/v1/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['email', 'username', 'password']));
  });

  it('/health reports every engine and projection lane', async () => {
    const res = await t.api.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.checks.map((c: { name: string }) => c.name)).toEqual(['eventstore', 'mongodb', 'redis', 'projections']);
    // Every lane the server runs: the read models of src/projections/read-models.ts, then the PostgreSQL ones.
    const { search, history, inbox } = t.server.services;
    const lanes = [...readModels, search.readModel, history.readModel, inbox.readModel].map((readModel) => readModel.name);
    expect(Object.keys(res.body.checks[3].detail)).toEqual(lanes);
  });

  it('/metrics exposes command, append and projection metrics to a loopback scraper', async () => {
    await t.api.register('metrics');
    const res = await t.server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(res.statusCode).toBe(200);
    for (const name of ['command_duration_seconds_count', 'eventstore_append_duration_seconds_count', 'projection_lag_events', 'projection_queue_depth', 'http_request_duration_seconds_bucket']) {
      expect(res.body).toContain(name);
    }
    const outside = await t.server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(outside.statusCode).toBe(403);
  });
});
