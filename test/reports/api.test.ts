import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRoster } from '../../src/commands/staff/roster.ts';
import type { StaffRole } from '../../src/commands/staff/events.ts';
import { paymentIntentEvent, signed, STRIPE_TEST_ENV } from '../payments/stripe-webhooks.ts';
import { startTestServer } from '../support/api.ts';
import { parseCsv } from './csv-parser.ts';

/**
 * A history made through the API (revolts, members, messages, voice, donations, a refund, letters), then every
 * report number that a read model also keeps compared with the read model's, at the same position.
 */
let t: Awaited<ReturnType<typeof startTestServer>>;
type User = Awaited<ReturnType<typeof t.api.register>>;
let owner: User, ada: User, bob: User, analyst: User, outsider: User;
let publicRevolt: string, privateRevolt: string;

const grant = (userId: string, role: StaffRole) =>
  changeRoster(t.server.services.commands, { type: 'Grant', userId, role, by: 'operator:test', at: new Date().toISOString() }, { actorId: 'operator:test', correlationId: `grant-${userId}-${role}`, causationId: 'test' });

async function ok<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, body?: unknown): Promise<T> {
  const res = await t.api.request(method, url, { token, ...(body !== undefined && { body }) });
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

async function webhook(event: object) {
  const { payload, headers } = signed(event);
  expect((await t.api.request('POST', '/v1/payments/stripe/webhook', { body: payload, headers })).status).toBe(200);
}

async function donate(donor: User, revoltId: string, amount: number) {
  const pledged = await ok('POST', `/v1/revolts/${revoltId}/donations`, donor.token, { amount, currency: 'usd', isAnonymous: false });
  await webhook(paymentIntentEvent('payment_intent.succeeded', pledged.donation));
  return pledged.donation as { id: string };
}

async function revolt(name: string, isPublic: boolean, members: User[]) {
  const created = await ok('POST', '/v1/revolts', owner.token, { name, settings: { isPublic } });
  for (const m of members) await ok('POST', `/v1/invites/${created.inviteCode}`, m.token);
  return created as { id: string; channels: string[] };
}

/** A report as raw text (CSV and HTML are not JSON). */
async function raw(url: string, token: string) {
  const res = await t.server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body, headers: res.headers };
}

beforeAll(async () => {
  t = await startTestServer('reports', STRIPE_TEST_ENV);
  [owner, ada, bob, analyst, outsider] = await Promise.all(['rowner', 'rada', 'rbob', 'ranalyst', 'routsider'].map((n) => t.api.register(n)));
  await grant(analyst.id, 'analyst');
  await grant(owner.id, 'operator');
  await ok('POST', '/v1/letters', owner.token, {
    letterId: 1, book: 'awakening', order: 1, title: 'One', content: 'Read me.', prerequisites: [], estimatedReadTime: 5, unlocks: [],
    assignments: [{ id: 'think', kind: 'reflection', prompt: 'Why?', minLength: 3, required: true }],
  });
  const pub = await revolt('Open Fund', true, [ada, bob]);
  const priv = await revolt('Back Room', false, [ada]);
  publicRevolt = pub.id;
  privateRevolt = priv.id;
  for (const [user, text] of [[ada, 'hello'], [bob, 'hi'], [ada, 'again'], [owner, 'welcome']] as const) await ok('POST', `/v1/channels/${pub.channels[0]}/messages`, user.token, { content: text });
  await ok('POST', `/v1/channels/${priv.channels[0]}/messages`, ada.token, { content: 'secret' });
  const voice = await ok('POST', `/v1/revolts/${pub.id}/channels`, owner.token, { name: 'talk', type: 'voice' });
  await ok('PUT', `/v1/channels/${voice.id}/voice/members/@me`, ada.token, {});
  await new Promise((resolve) => setTimeout(resolve, 50));
  await ok('DELETE', `/v1/channels/${voice.id}/voice/members/@me`, ada.token);
  await donate(ada, pub.id, 1500);
  const refunded = await donate(bob, pub.id, 700);
  await donate(ada, priv.id, 300);
  await ok('POST', `/v1/donations/${refunded.id}/refund`, owner.token);
  for (const user of [ada, bob]) {
    await ok('POST', '/v1/letters/1/assignments/think', user.token, { response: 'because' });
    await ok('POST', '/v1/letters/1/complete', user.token);
  }
  await ok('DELETE', `/v1/revolts/${priv.id}/members/@me`, ada.token);
}, 120_000);
afterAll(() => t?.close());

describe('access', () => {
  it('401 anonymous, 403 without the analyst role, the catalogue for analysts', async () => {
    expect((await t.api.request('GET', '/v1/reports')).status).toBe(401);
    expect((await t.api.request('GET', '/v1/reports/financial')).status).toBe(401);
    const refused = await t.api.request('GET', '/v1/reports/financial', { token: outsider.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await t.api.request('GET', '/v1/reports', { token: outsider.token })).status).toBe(403);
    const catalogue = await t.api.request('GET', '/v1/reports', { token: analyst.token });
    expect(catalogue.status).toBe(200);
    expect(catalogue.body.reports.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['revolt-statistics', 'user-activity', 'user-activity-report', 'revolt-success', 'engagement', 'revolt-performance', 'financial', 'retention']));
    expect((await t.api.request('GET', '/v1/reports/nope', { token: analyst.token })).status).toBe(404);
  });

  it('a query that is not valid is 400 and appends nothing', async () => {
    const head = await t.server.services.store.headPosition();
    const hostile = ['asOf=99999999999999999999', 'asOf=2026-02-31T00:00:00Z', 'from=2025-02-29T00:00:00Z', 'from=2026-13-45T00:00:00Z', 'revoltId=%00', 'format=json&format=csv', `table=${'a'.repeat(5000)}`, 'bucket=%F0%9F%92%A5', 'asOf=1e9', 'to[]=1'];
    for (const query of ['format=pdf', 'bucket=year', 'from=yesterday', 'asOf=-3', 'revoltId=xyz', 'table=nope', 'extra=1', ...hostile]) {
      const res = await t.api.request('GET', `/v1/reports/financial?${query}`, { token: analyst.token });
      expect(res.status, query).toBe(400);
    }
    // Reactors may still be answering the history (notifications, voice); nothing appended is the analyst's doing.
    const appended = await t.server.services.store.readAll({ after: head, maxCount: 1000 });
    expect(appended.filter((e) => e.metadata.actorId === analyst.id || JSON.stringify(e.data).includes(analyst.id))).toEqual([]);
  });
});

describe('the reports agree with the read models at the same position', () => {
  it('member, message and donation counts per revolt; messages, donations and voice minutes per user', async () => {
    const position = await t.server.services.store.headPosition();
    for (const model of ['revolts', 'users']) expect(await t.server.engine.waitForPosition(model, position, 20_000)).toBe(true);
    const db = t.server.services.db;
    const revolts = await db.collection('revolts').find({}, { projection: { id: 1, settings: 1, stats: 1 } }).sort({ id: 1 }).toArray();
    const users = await db.collection('users').find({}, { projection: { id: 1, username: 1, stats: 1, lastSeen: 1, letterProgress: 1 } }).sort({ id: 1 }).toArray();

    const report = async (name: string, query = '') => (await t.api.request('GET', `/v1/reports/${name}?asOf=${position}${query}`, { token: analyst.token })).body;
    const table = (body: any, name: string) => body.tables.find((x: { name: string }) => x.name === name).rows as any[];

    const statistics = await report('revolt-statistics');
    expect(statistics.asOf.position).toBe(position);
    const publicDocs = revolts.filter((r) => r.settings.isPublic);
    expect(table(statistics, 'revolts').map((r) => [r.revoltId, r.members, r.messages, r.donations])).toEqual(publicDocs.map((r) => [r.id, r.stats.memberCount, r.stats.messageCount, r.stats.totalDonations]));
    expect(table(statistics, 'summary')[0]).toMatchObject({ totalRevolts: publicDocs.length, totalMembers: 3, totalDonations: 1500 });

    const success = table(await report('revolt-success'), 'byVisibility');
    for (const row of success) {
      const docs = revolts.filter((r) => r.settings.isPublic === (row.visibility === 'public'));
      expect(row).toMatchObject({ count: docs.length, totalMembers: docs.reduce((s, r) => s + r.stats.memberCount, 0), totalDonations: docs.reduce((s, r) => s + r.stats.totalDonations, 0) });
    }

    const activity = table(await report('user-activity-report'), 'users');
    expect(activity.map((r) => [r.userId, r.username, r.revoltsJoined, r.messagesSent, r.totalDonated, r.lastSeen])).toEqual(
      users.map((u) => [u.id, u.username, u.stats.revoltsJoined, u.stats.messagesSent, u.stats.totalDonated, u.lastSeen.toISOString()]),
    );
    const engaged = table(await report('engagement'), 'users');
    expect(engaged.map((r) => [r.userId, r.voiceMinutes, r.lettersCompleted])).toEqual(users.map((u) => [u.id, Math.round(u.stats.voiceTime * 10_000) / 10_000, u.letterProgress.completedLetters.length]));
    expect(engaged.find((r) => r.userId === ada.id).voiceMinutes).toBeGreaterThan(0);

    const performance = table(await report('revolt-performance', '&bucket=month'), 'periods');
    for (const doc of revolts) expect(performance.filter((r) => r.revoltId === doc.id).at(-1).membersAtEnd).toBe(doc.stats.memberCount);
    expect(performance.reduce((s, r) => s + r.raised, 0)).toBe(revolts.reduce((s, r) => s + r.stats.totalDonations, 0));

    const financial = await report('financial');
    expect(table(financial, 'totals')).toEqual([expect.objectContaining({ currency: 'usd', completed: 3, refunds: 1, totalProcessed: 2500, refundedAmount: 700, netAmount: 1800 })]);
    expect(table(financial, 'totals')[0].netAmount).toBe(revolts.reduce((s, r) => s + r.stats.totalDonations, 0));

    const one = table(await report('user-activity-report', `&revoltId=${privateRevolt}`), 'users');
    // Those who ever joined the private revolt (ada left it since), their messages and money in it.
    const byId = (a: string, b: string) => (users.find((u) => u.username === a)!.id < users.find((u) => u.username === b)!.id ? -1 : 1);
    expect(one.map((r) => [r.username, r.messagesSent, r.totalDonated])).toEqual([['rowner', 0, 0], ['rada', 1, 300]].sort((a, b) => byId(a[0] as string, b[0] as string)));
  });
});

describe('formats', () => {
  it('CSV is RFC 4180 with a header row, ISO dates and cents beside a currency column', async () => {
    const res = await raw('/v1/reports/financial?format=csv&table=fundingByRevolt', analyst.token);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(['revoltId', 'revoltName', 'currency', 'pledged', 'completed', 'failed', 'refunds', 'totalProcessed', 'refundedAmount', 'netAmount', 'paymentSuccessRate', 'paymentFailureRate', 'refundRate']);
    expect(rows.slice(1).map((r) => [r[1], r[2], r[7]])).toEqual(expect.arrayContaining([['Open Fund', 'usd', '2200'], ['Back Room', 'usd', '300']]));
    const users = parseCsv((await raw('/v1/reports/user-activity', analyst.token).then(() => raw('/v1/reports/user-activity?format=csv', analyst.token))).body);
    expect(users[0]).toEqual(['userId', 'username', 'userType', 'joinedAt', 'revoltsJoined', 'messagesSent', 'lastSeen']);
    for (const row of users.slice(1)) expect(row[3]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('asking twice gives the same bytes; HTML is one self-contained page titled with the filters and the position', async () => {
    const position = await t.server.services.store.headPosition();
    for (const format of ['json', 'csv', 'html']) {
      const url = `/v1/reports/engagement?format=${format}&bucket=week&asOf=${position}`;
      const [first, second] = [await raw(url, analyst.token), await raw(url, analyst.token)];
      expect(first.status).toBe(200);
      expect(second.body).toBe(first.body);
      expect(first.headers['x-report-as-of-position']).toBe(String(position));
    }
    const html = (await raw(`/v1/reports/financial?format=html&revoltId=${publicRevolt}&bucket=month&asOf=${position}`, analyst.token)).body;
    expect(html).toMatch(new RegExp(`<title>Financial Metrics — revolt ${publicRevolt}, by month — as of position ${position} \\(`));
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/);
  });
});
