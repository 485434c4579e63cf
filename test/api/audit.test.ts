import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/commands/donations/chain.ts';
import { changeRoster } from '../../src/commands/staff/roster.ts';
import { startTestServer } from '../support/api.ts';
import { PG_TEST_URL } from '../support/engines.ts';
import { runScript } from '../support/process.ts';
import { chargeRefundedEvent, paymentIntentEvent, signed, STRIPE_TEST_ENV } from '../payments/stripe-webhooks.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
type User = Awaited<ReturnType<typeof t.api.register>>;
let owner: User;
let donor: User;
let auditor: User;
let revoltId: string;

beforeAll(async () => {
  t = await startTestServer('audit', STRIPE_TEST_ENV);
  [owner, donor, auditor] = await Promise.all([t.api.register('aowner'), t.api.register('adonor'), t.api.register('aauditor')]);
  const revolt = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Audited Fund' } });
  revoltId = revolt.body.id;
  await changeRoster(t.server.services.commands, { type: 'Grant', userId: auditor.id, role: 'auditor', by: 'operator:test', at: new Date().toISOString() }, {
    actorId: 'operator:test',
    correlationId: 'grant',
    causationId: 'grant',
  });
});
afterAll(() => t?.close());

const schema = () => new URL(t.server.services.config.EVENTSTORE_URL).searchParams.get('schema')!;

async function webhook(event: object) {
  const { payload, headers } = signed(event);
  const res = await t.api.request('POST', '/v1/payments/stripe/webhook', { body: payload, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

async function completedDonation(amount: number) {
  const pledged = await t.api.request('POST', `/v1/revolts/${revoltId}/donations`, {
    token: donor.token,
    body: { amount, currency: 'usd', isAnonymous: true },
    headers: { 'x-correlation-id': `checkout-${amount}` },
  });
  expect(pledged.status).toBe(201);
  const succeeded = paymentIntentEvent('payment_intent.succeeded', pledged.body.donation);
  await webhook(succeeded);
  return { donation: pledged.body.donation, succeeded };
}

/** Runs the audit CLI as an operator would, against this test's event store. */
function cli(...args: string[]): Promise<{ code: number | null; output: string }> {
  return runScript('src/reports/cli.ts', args, { EVENTSTORE_URL: t.server.services.config.EVENTSTORE_URL, LOG_LEVEL: 'silent' });
}

async function sql(text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Edits the log as only its owner can: with the append-only trigger disabled for the length of one transaction. */
async function tamper(events: string, text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`ALTER TABLE ${events} DISABLE TRIGGER events_append_only`);
    await client.query(text, values);
    await client.query(`ALTER TABLE ${events} ENABLE TRIGGER events_append_only`);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

describe('the audit trail', () => {
  it('is for auditors only', async () => {
    const { donation } = await completedDonation(1100);
    for (const user of [owner, donor]) {
      const res = await t.api.request('GET', `/v1/audit/donations/${donation.id}`, { token: user.token });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect((await t.api.request('GET', '/v1/audit/verify', { token: user.token })).status).toBe(403);
    }
    expect((await t.api.request('GET', `/v1/audit/donations/${donation.id}`)).status).toBe(401);
    expect((await t.api.request('GET', `/v1/audit/donations/${'0'.repeat(24)}`, { token: auditor.token })).status).toBe(404);
  });

  it('lists every event of a donation in order with actor, time, correlation, causation, position, Stripe ids and chain links', async () => {
    const { donation, succeeded } = await completedDonation(2200);
    const refund = await t.api.request('POST', `/v1/donations/${donation.id}/refund`, { token: owner.token, headers: { 'x-correlation-id': 'support-ticket-7' } });
    expect(refund.status).toBe(200);
    const trail = await t.api.request('GET', `/v1/audit/donations/${donation.id}`, { token: auditor.token });
    expect(trail.status).toBe(200);
    const { events } = trail.body;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['DonationPledged', 'DonationCompleted', 'DonationRefundRequested', 'DonationRefunded']);
    expect(events.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2, 3]);
    const positions = events.map((e: { position: number }) => e.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(events[0]).toMatchObject({
      actorId: donor.id,
      correlationId: 'checkout-2200',
      stripe: { paymentIntentId: donation.stripePaymentIntentId },
      data: { donorId: donor.id, donorEmail: donor.email, isAnonymous: true },
    });
    expect(events[1]).toMatchObject({
      actorId: 'stripe',
      correlationId: succeeded.id,
      stripe: { paymentIntentId: donation.stripePaymentIntentId, eventId: succeeded.id, chargeId: `ch_${donation.id}` },
    });
    expect(events[2]).toMatchObject({ actorId: owner.id, correlationId: 'support-ticket-7', stripe: { refundId: refund.body.refund.id } });
    expect(events[3].stripe).toEqual({ refundId: refund.body.refund.id });
    for (const e of events) {
      expect(Date.parse(e.occurredAt)).not.toBeNaN();
      expect(e.causationId).toEqual(expect.any(String));
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(events[1].previousHash).toBe(events[0].hash);
    expect(events[3].previousHash).toBe(events[2].hash);
    expect(trail.body.chain).toEqual({ intact: true });
    expect(trail.body.stripeEvents).toEqual([expect.objectContaining({ stripeEventId: succeeded.id, outcome: 'applied', type: 'payment_intent.succeeded' })]);
  });
});

describe('tamper detection', () => {
  it('the verifier (endpoint and CLI) reports a stream edited in PostgreSQL, with its first bad revision', async () => {
    const ok = await t.api.request('GET', '/v1/audit/verify', { token: auditor.token });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, broken: [] });
    expect(ok.body.streams).toBeGreaterThan(3);
    expect(Object.keys(ok.body.heads)).toContain('audit-roster');
    const clean = await cli('verify');
    expect(clean.code, clean.output).toBe(0);
    expect(clean.output).toContain('chains: ok');

    const edited = await completedDonation(3300);
    const rehashed = await completedDonation(4400);
    await webhook(chargeRefundedEvent(rehashed.donation));
    const events = `${schema()}.events`;
    // A crude edit: the amount of the pledge. The store refuses it, so the verifier is shown an owner's edit.
    const crude = `UPDATE ${events} SET data = jsonb_set(data, '{amount}', '1') WHERE stream_id = $1 AND revision = 0`;
    await expect(sql(crude, [`donation-${edited.donation.id}`])).rejects.toThrow(/append-only/);
    await tamper(events, crude, [`donation-${edited.donation.id}`]);
    // A careful one: the completion's charge id, with the event's own hash recomputed to match.
    const [completion] = await t.server.services.store.readStream(`donation-${rehashed.donation.id}`, { fromRevision: 1, maxCount: 1 });
    const forged = { ...completion!, data: { ...(completion!.data as object), stripeChargeId: 'ch_forged' } };
    await tamper(events, `UPDATE ${events} SET data = $2::jsonb, metadata = $3::jsonb WHERE stream_id = $1 AND revision = 1`, [
      `donation-${rehashed.donation.id}`,
      JSON.stringify(forged.data),
      JSON.stringify({ ...forged.metadata, hash: eventHash(forged) }),
    ]);

    const report = await t.api.request('GET', '/v1/audit/verify', { token: auditor.token });
    expect(report.body.ok).toBe(false);
    expect(report.body.broken).toEqual(
      [
        { streamId: `donation-${edited.donation.id}`, firstBadRevision: 0, reason: 'hash_mismatch' },
        { streamId: `donation-${rehashed.donation.id}`, firstBadRevision: 2, reason: 'previous_hash_mismatch' },
      ].sort((a, b) => a.streamId.localeCompare(b.streamId)),
    );
    const trail = await t.api.request('GET', `/v1/audit/donations/${edited.donation.id}`, { token: auditor.token });
    expect(trail.body.chain).toEqual({ intact: false, firstBadRevision: 0, reason: 'hash_mismatch' });

    const broken = await cli('verify');
    expect(broken.code, broken.output).toBe(1);
    expect(broken.output).toContain(`BROKEN donation-${edited.donation.id} at revision 0: hash_mismatch`);
    expect(broken.output).toContain(`BROKEN donation-${rehashed.donation.id} at revision 2: previous_hash_mismatch`);
  });

  it('an operator grants and revokes the auditor capability with the CLI, on the audited roster', async () => {
    const newcomer = await t.api.register('anewcomer');
    expect((await t.api.request('GET', '/v1/audit/verify', { token: newcomer.token })).status).toBe(403);
    const granted = await cli('grant', newcomer.id, '--by', 'operator:alice', '--reason', 'quarterly audit');
    expect(granted.code, granted.output).toBe(0);
    expect((await t.api.request('GET', '/v1/audit/verify', { token: newcomer.token })).status).toBe(200);
    const revoked = await cli('revoke', newcomer.id, '--by', 'operator:alice');
    expect(revoked.code, revoked.output).toBe(0);
    expect((await t.api.request('GET', '/v1/audit/verify', { token: newcomer.token })).status).toBe(403);
    const roster = await t.server.services.store.readStream('audit-roster');
    expect(roster.map((e) => e.type)).toEqual(['StaffRoleGranted', 'StaffRoleGranted', 'StaffRoleRevoked']);
    expect(roster[1]).toMatchObject({ data: { userId: newcomer.id, role: 'auditor', grantedBy: 'operator:alice', reason: 'quarterly audit' }, metadata: { actorId: 'operator:alice' } });
    expect((await cli('grant', 'not-an-id')).code).toBe(2);
  });
});
