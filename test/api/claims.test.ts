import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reservationDecider, reservationStream } from '../../src/commands/reservations/reservation.ts';
import { newId } from '../../src/events/ids.ts';
import { startTestServer } from '../support/api.ts';
import { reactorsSettled } from '../support/hostile/settle.ts';
import { PG_TEST_URL } from '../support/engines.ts';

/** Uniqueness claims are appends: a request refused for any reason must be refused before it claims anything. */
let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('claims');
});
afterAll(() => t?.close());

const head = () => t.server.services.store.headPosition();

describe('a refused request claims nothing', () => {
  it('invite regeneration: 404 for a revolt that does not exist, 403 without MANAGE_REVOLT, the store head unchanged', async () => {
    const [owner, member] = await Promise.all([t.api.register('claimowner'), t.api.register('claimmember')]);
    const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Claimers' } });
    expect(created.status).toBe(201);
    expect((await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: member.token })).status).toBe(200);

    await reactorsSettled(t.server, []); // the join's notification is appended by a reactor, later
    const before = await head();
    const missing = await t.api.request('POST', `/v1/revolts/${newId()}/invite`, { token: owner.token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const denied = await t.api.request('POST', `/v1/revolts/${created.body.id}/invite`, { token: member.token });
    expect(denied.status).toBe(403);
    expect(denied.body.error.details).toEqual({ missing: ['MANAGE_REVOLT'] });
    expect(await head()).toBe(before);

    // The permitted regeneration still works.
    const fresh = await t.api.request('POST', `/v1/revolts/${created.body.id}/invite`, { token: owner.token });
    expect(fresh.status).toBe(200);
    expect(fresh.body.code).not.toBe(created.body.inviteCode);
  });

  it('registration: a username whose every discriminator is taken is refused 409 without reserving the email', async () => {
    const username = 'crowded';
    await claimEveryDiscriminator(username);

    const before = await head();
    const email = 'crowded@example.com';
    const refused = await t.api.request('POST', '/v1/auth/register', { body: { email, username, password: 'correct horse battery' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('username_unavailable');
    expect(await head()).toBe(before);
    // The email was never reserved: it registers at once under another name.
    const other = await t.api.request('POST', '/v1/auth/register', { body: { email, username: 'uncrowded', password: 'correct horse battery' } });
    expect(other.status).toBe(201);
  });
});

/**
 * Every tag of `username` held by someone, written in one transaction through the store's own append function
 * (9,999 appends one by one would cost a commit each).
 */
async function claimEveryDiscriminator(username: string) {
  const schema = new URL(t.server.services.config.EVENTSTORE_URL).searchParams.get('schema')!;
  const at = new Date().toISOString();
  const streams = Array.from({ length: 9999 }, (_, i) => reservationStream('tag', `${username}#${String(i + 1).padStart(4, '0')}`));
  const datas = streams.map(() => JSON.stringify({ kind: 'tag', ownerId: newId(), claimedAt: at }));
  const metadata = JSON.stringify({ correlationId: 'test', causationId: 'test', actorId: null, occurredAt: at, schemaVersion: 1 });
  const sql = new pg.Client({ connectionString: PG_TEST_URL });
  await sql.connect();
  try {
    await sql.query(
      `select ${pg.escapeIdentifier(schema)}.append_events(x.stream, -2, array[gen_random_uuid()], array['ValueClaimed'], array[x.data], array[$3::jsonb])
       from unnest($1::text[], $2::jsonb[]) as x(stream, data)`,
      [streams, datas, metadata],
    );
  } finally {
    await sql.end();
  }
  const { state } = await t.server.services.commands.load(streams[4321]!, reservationDecider);
  expect(state.ownerId).not.toBeNull();
}
