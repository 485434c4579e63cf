import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pledgeKey } from '../../src/commands/donations/execute.ts';
import { reservationDecider, reservationStream } from '../../src/commands/reservations/reservation.ts';
import { refuseAppendsOf } from '../support/faults.ts';
import { startTestServer, type ApiResponse } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('hostiletext');
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const head = () => t.server.services.store.headPosition();
const NUL = '\u0000';
const LONE = '\ud800';

function expectRefusedAt(res: ApiResponse, path: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'invalid_request', details: [{ path, message: expect.stringMatching(/NUL/) }] });
}

async function community(label: string) {
  const owner = await t.api.register(label);
  const revolt = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: `${label} hall` } });
  expect(revolt.status).toBe(201);
  return { owner, revoltId: revolt.body.id as string, general: revolt.body.channels[0] as string };
}

function multipart(parts: { name: string; disposition?: string; data: string }[]) {
  const boundary = `----rn${randomUUID()}`;
  const body = parts
    .map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.disposition ?? ''}\r\nContent-Type: text/plain\r\n\r\n${p.data}\r\n`)
    .join('');
  return { payload: Buffer.from(`${body}--${boundary}--\r\n`, 'utf8'), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('NUL and unpaired surrogates are refused at the edge (400 naming the path, nothing appended)', () => {
  let ada: User;
  let place: Awaited<ReturnType<typeof community>>;
  beforeAll(async () => {
    ada = await t.api.register('ada');
    place = await community('nulowner');
  });

  it('in JSON bodies, on every kind of route, before any claim is made', async () => {
    const before = await head();
    const email = `nul-${randomUUID()}@example.com`;
    const cases: [string, () => Promise<ApiResponse>][] = [
      ['body.username', () => t.api.request('POST', '/v1/auth/register', { body: { email, username: `ad${NUL}a`, password: 'correct horse battery' } })],
      ['body.username', () => t.api.request('POST', '/v1/auth/register', { body: { email, username: `ad${LONE}a`, password: 'correct horse battery' } })],
      ['body.password', () => t.api.request('POST', '/v1/auth/register', { body: { email, username: 'okname', password: `correct horse${NUL}` } })],
      ['body.name', () => t.api.request('POST', '/v1/revolts', { token: ada.token, body: { name: `Hall${LONE}` } })],
      ['body.bio', () => t.api.request('PATCH', '/v1/users/@me', { token: ada.token, body: { bio: `hi${NUL}` } })],
      ['body.content', () => t.api.request('POST', `/v1/channels/${place.general}/messages`, { token: place.owner.token, body: { content: `x${NUL}` } })],
      ['body.embeds.0.fields.0.value', () =>
        t.api.request('POST', `/v1/channels/${place.general}/messages`, {
          token: place.owner.token,
          body: { content: 'x', embeds: [{ title: 't', fields: [{ name: 'n', value: `v${'\udc00'}` }] }] },
        })],
      ['body.message', () =>
        t.api.request('POST', `/v1/revolts/${place.revoltId}/donations`, {
          token: ada.token,
          body: { amount: 500, currency: 'usd', message: `for${NUL}`, isAnonymous: false },
          headers: { 'idempotency-key': `k-${randomUUID()}` },
        })],
      [`body.x${NUL}`, () => t.api.request('PATCH', '/v1/users/@me', { token: ada.token, body: { [`x${NUL}`]: 1 } })],
    ];
    for (const [path, send] of cases) expectRefusedAt(await send(), path);
    expect(await head()).toBe(before);
    // Nothing was reserved either: the email registers at once.
    expect((await t.api.request('POST', '/v1/auth/register', { body: { email, username: 'okname', password: 'correct horse battery' } })).status).toBe(201);
  });

  it('in path parameters and query strings', async () => {
    const before = await head();
    expectRefusedAt(await t.api.request('GET', '/v1/users/by-tag/ad%00a/1234', { token: ada.token }), 'params.username');
    expectRefusedAt(await t.api.request('GET', '/v1/revolts?q=a%00b', { token: ada.token }), 'querystring.q');
    expectRefusedAt(await t.api.request('GET', '/v1/revolts?unknown=%00', { token: ada.token }), 'querystring.unknown');
    for (const url of ['/v1/users/by-tag/ad%ED%A0%80a/1234', '/v1/revolts?q=a%ED%A0%80b']) {
      // Percent-encoded UTF-8 cannot spell a surrogate: whatever the decoder makes of it, never a 5xx.
      expect((await t.api.request('GET', url, { token: ada.token })).status, url).toBeLessThan(500);
    }
    expect(await head()).toBe(before);
  });

  it('in multipart field values and filenames', async () => {
    const before = await head();
    const send = async (parts: Parameters<typeof multipart>[0]) => {
      const { payload, contentType } = multipart(parts);
      const res = await t.server.app.inject({
        method: 'POST',
        url: '/v1/attachments',
        payload,
        headers: { 'content-type': contentType, authorization: `Bearer ${ada.token}` },
      });
      return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) };
    };
    expectRefusedAt(await send([{ name: 'file', disposition: `; filename*=UTF-8''a%00b.txt`, data: 'hello' }]), 'body.file.filename');
    expectRefusedAt(await send([{ name: 'note', data: `a${NUL}b` }, { name: 'file', disposition: '; filename="a.txt"', data: 'hello' }]), 'body.note');
    expect(await head()).toBe(before);
    expect((await send([{ name: 'file', disposition: '; filename="a.txt"', data: 'hello' }])).status).toBe(201);
  });
});

describe('a multi-step command whose later step fails leaves nothing behind', () => {
  it('a registration that fails after claiming its email and tag releases both at once', async () => {
    const email = `undo-${randomUUID()}@example.com`;
    const body = { email, username: 'undone', password: 'correct horse battery' };
    const before = await head();
    const lift = await refuseAppendsOf(t.server.services.config.EVENTSTORE_URL, 'UserRegistered');
    try {
      expect((await t.api.request('POST', '/v1/auth/register', { body })).status).toBe(500);
    } finally {
      await lift();
    }
    // Every claim it made is released (not merely left to be taken over 30 s later)...
    const appended = await t.server.services.store.readAll({ after: before });
    const claims = appended.filter((e) => e.type === 'ValueClaimed');
    expect(claims.map((e) => (e.data as { kind: string }).kind).sort()).toEqual(['email', 'tag']);
    for (const claim of claims) {
      const { state } = await t.server.services.commands.load(claim.streamId, reservationDecider);
      expect(state.ownerId, claim.streamId).toBeNull();
    }
    // ...so the same email registers right after.
    const again = await t.api.request('POST', '/v1/auth/register', { body });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.user.username).toBe('undone');
  });

  it('a retry of a failed registration with the same Idempotency-Key claims its email and tag again', async () => {
    const email = `undo-${randomUUID()}@example.com`;
    const key = `reg-${randomUUID()}`;
    const register = () =>
      t.api.request('POST', '/v1/auth/register', { body: { email, username: 'retried', password: 'correct horse battery' }, headers: { 'idempotency-key': key } });
    const lift = await refuseAppendsOf(t.server.services.config.EVENTSTORE_URL, 'UserRegistered');
    try {
      expect((await register()).status).toBe(500);
    } finally {
      await lift();
    }
    const retried = await register();
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    const { user } = retried.body;
    for (const [kind, value] of [['email', email], ['tag', `retried#${user.discriminator}`]] as const) {
      const { state } = await t.server.services.commands.load(reservationStream(kind, value), reservationDecider);
      expect(state.ownerId, kind).toBe(user.id);
    }
    const other = await t.api.request('POST', '/v1/auth/register', { body: { email, username: 'thief', password: 'correct horse battery' } });
    expect(other.status).toBe(409);
  });

  it('a pledge whose recording fails cancels its payment intent and releases its index and key; a retry starts afresh', async () => {
    const { revoltId } = await community('pledgeundo');
    const donor = await t.api.register('pledgedonor');
    const key = `pledge-${randomUUID()}`;
    const pledge = () =>
      t.api.request('POST', `/v1/revolts/${revoltId}/donations`, {
        token: donor.token,
        body: { amount: 700, currency: 'usd', isAnonymous: false },
        headers: { 'idempotency-key': key },
      });
    const cancel = vi.spyOn(t.server.services.stripe, 'cancelPaymentIntent');
    const before = await head();
    const lift = await refuseAppendsOf(t.server.services.config.EVENTSTORE_URL, 'DonationPledged');
    try {
      expect((await pledge()).status).toBe(500);
    } finally {
      await lift();
    }
    const appended = await t.server.services.store.readAll({ after: before });
    const indexClaim = appended.find((e) => e.type === 'ValueClaimed' && (e.data as { kind: string }).kind === 'stripe_payment_intent');
    expect(indexClaim).toBeDefined();
    const { state: index } = await t.server.services.commands.load(indexClaim!.streamId, reservationDecider);
    expect(index.ownerId).toBeNull();
    const { state: keyClaim } = await t.server.services.commands.load(reservationStream('donation_pledge', pledgeKey(donor.id, key)), reservationDecider);
    expect(keyClaim.ownerId).toBeNull();
    expect(cancel).toHaveBeenCalledTimes(1);
    const abandonedDonation = (indexClaim!.data as { ownerId: string }).ownerId;
    expect(cancel.mock.calls[0]![1]).toContain(abandonedDonation);
    expect(appended.some((e) => e.type === 'DonationPledged')).toBe(false);
    cancel.mockRestore();

    const retried = await pledge();
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.body.donation.id).not.toBe(abandonedDonation);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });
});

describe('names refuse invisible and bidi control characters with 400, and are normalised', () => {
  const refusal = (res: ApiResponse, path: string, what: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details).toContainEqual({ path, message: `${what} may not contain invisible, control or bidirectional formatting characters` });
  };

  it('on every name field: username, revolt, channel, category and role names, profile handles', async () => {
    const { owner, revoltId, general } = await community('namer');
    const before = await head();
    const register = (username: string) =>
      t.api.request('POST', '/v1/auth/register', { body: { email: `n-${randomUUID()}@example.com`, username, password: 'correct horse battery' } });
    refusal(await register('nimda\u202e'), 'body.username', 'a username');
    refusal(await register('ad\u200bmin'), 'body.username', 'a username');
    refusal(await register('\u2067admin\u2069'), 'body.username', 'a username');
    const as = { token: owner.token };
    refusal(await t.api.request('POST', '/v1/revolts', { ...as, body: { name: 'Offi\u00adcial' } }), 'body.name', 'a revolt name');
    refusal(await t.api.request('PATCH', `/v1/revolts/${revoltId}`, { ...as, body: { name: 'Offi\u200dcial' } }), 'body.name', 'a revolt name');
    refusal(await t.api.request('POST', `/v1/revolts/${revoltId}/channels`, { ...as, body: { name: 'gen\u2060eral' } }), 'body.name', 'a channel name');
    refusal(await t.api.request('POST', `/v1/revolts/${revoltId}/channels`, { ...as, body: { name: '\ufeffStaff', type: 'category' } }), 'body.name', 'a channel name');
    refusal(await t.api.request('PATCH', `/v1/channels/${general}`, { ...as, body: { name: 'general\u200f' } }), 'body.name', 'a channel name');
    refusal(await t.api.request('POST', `/v1/revolts/${revoltId}/roles`, { ...as, body: { name: 'Admin\u2066' } }), 'body.name', 'a role name');
    refusal(await t.api.request('PATCH', '/v1/users/@me', { ...as, body: { socialLinks: { twitter: 'real\u202eadmin' } } }), 'body.socialLinks.twitter', 'a Twitter handle');
    expect(await head()).toBe(before);
  });

  it('stores usernames in NFKC (full-width letters are the plain ones) and other names in NFC; emoji names pass', async () => {
    const wide = await t.api.request('POST', '/v1/auth/register', {
      body: { email: `w-${randomUUID()}@example.com`, username: 'ｗｉｄｅ', password: 'correct horse battery' },
    });
    expect(wide.status, JSON.stringify(wide.body)).toBe(201);
    expect(wide.body.user.username).toBe('wide');
    const { owner, revoltId } = await community('normal');
    const channel = await t.api.request('POST', `/v1/revolts/${revoltId}/channels`, { token: owner.token, body: { name: '👩‍💻 cafe\u0301' } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    expect(channel.body.name).toBe('👩‍💻 café');
  });
});
