import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { voiceChannelStream } from '../../src/commands/voice/decide.ts';
import { voiceCommands, type VoiceCommands } from '../../src/commands/voice/execute.ts';
import { liveContext } from '../../src/projections/engine/context.ts';
import { readModels } from '../../src/projections/read-models.ts';
import { startTestServer } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
let voice: VoiceCommands;
beforeAll(async () => {
  t = await startTestServer('voice');
  voice = voiceCommands(t.server.services);
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const minPosition = (position: number | null | undefined) => ({ 'x-min-position': String(position) });
const head = () => t.server.services.store.headPosition();
/** Waits for the voice-access reactor to have answered every event so far (it removes from voice who lost access). */
const swept = async () => expect(await t.server.reactors.waitForPosition('voice-access', await head(), 10_000)).toBe(true);

interface Guild {
  revoltId: string;
  everyoneRoleId: string;
  general: string;
  /** voice (no limit), small (voice, maxMembers 2), video (video, 720p), hidden (voice nobody but the owner sees). */
  voice: string;
  small: string;
  video: string;
  hidden: string;
  modRoleId: string;
}

/** An owner's revolt with the members joined, four media channels, and `mods` holding MUTE/DEAFEN/MOVE_MEMBERS. */
async function guild(owner: User, members: User[], mods: User[] = []): Promise<Guild> {
  const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Voices' } });
  expect(created.status).toBe(201);
  for (const m of [...members, ...mods]) expect((await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: m.token })).status).toBe(200);
  const revoltId = created.body.id as string;
  const channel = async (name: string, type: string, settings: object = {}) => {
    const res = await t.api.request('POST', `/v1/revolts/${revoltId}/channels`, { token: owner.token, body: { name, type, settings } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const everyoneRoleId = (created.body.roles as { id: string; name: string }[]).find((r) => r.name === '@everyone')!.id;
  const g = {
    revoltId,
    everyoneRoleId,
    general: created.body.channels[0] as string,
    voice: await channel('voice', 'voice'),
    small: await channel('small', 'voice', { maxMembers: 2 }),
    video: await channel('video', 'video', { videoQuality: '720p', bitrate: 96000 }),
    hidden: await channel('hidden', 'voice'),
    modRoleId: '',
  };
  const hide = await t.api.request('PUT', `/v1/channels/${g.hidden}/permissions/${everyoneRoleId}`, {
    token: owner.token,
    body: { type: 'role', deny: ['VIEW_CHANNEL'] },
  });
  expect(hide.status).toBe(204);
  const role = await t.api.request('POST', `/v1/revolts/${revoltId}/roles`, {
    token: owner.token,
    body: { name: 'mods', permissions: ['MUTE_MEMBERS', 'DEAFEN_MEMBERS', 'MOVE_MEMBERS'], position: 10 },
  });
  expect(role.status).toBe(201);
  g.modRoleId = role.body.id;
  for (const m of mods) expect((await t.api.request('PUT', `/v1/revolts/${revoltId}/members/${m.id}/roles/${g.modRoleId}`, { token: owner.token })).status).toBe(204);
  return g;
}

const users = (...names: string[]) => Promise.all(names.map((n) => t.api.register(n)));
const voiceOf = (channelId: string, user: User, position: number | null | undefined) =>
  t.api.request('GET', `/v1/channels/${channelId}/voice`, { token: user.token, headers: minPosition(position) });
const me = async (user: User, position?: number | null) =>
  (await t.api.request('GET', '/v1/users/@me', { token: user.token, headers: minPosition(position ?? (await head())) })).body;

describe('joining and leaving through the execute service', () => {
  it('records the session, the participants, the users’ voiceState and their exact voice time', async () => {
    const [owner, alice, bob] = await users('vowner', 'valice', 'vbob');
    const g = await guild(owner, [alice, bob]);

    const joined = await voice.join(alice.id, g.voice);
    expect(joined).toMatchObject({
      revoltId: g.revoltId,
      channelId: g.voice,
      settings: { bitrate: 64000, maxMembers: null, videoQuality: null, region: 'auto' },
      participants: [{ userId: alice.id, username: 'valice', isMuted: false, isDeafened: false, isSpeaking: false }],
    });
    expect(joined.position).toBeGreaterThan(0);
    const second = await voice.join(bob.id, g.voice, { selfMute: true });
    expect(second.sessionId).toBe(joined.sessionId);
    expect(second.participants.map((p) => [p.userId, p.isMuted])).toEqual([
      [alice.id, false],
      [bob.id, true],
    ]);
    expect((await voice.join(bob.id, g.voice)).position).toBeNull();
    expect(await voice.currentChannel(bob.id)).toEqual({ channelId: g.voice, revoltId: g.revoltId, sessionId: joined.sessionId });

    const live = await voiceOf(g.voice, bob, second.position);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({
      id: joined.sessionId,
      revoltId: g.revoltId,
      channelId: g.voice,
      isActive: true,
      settings: { maxParticipants: 99, bitrate: 64000, sampleRate: 48000, region: 'auto', echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      participants: [
        { userId: alice.id, username: 'valice', isMuted: false, isDeafened: false, isSpeaking: false, isVideoEnabled: false, isScreenSharing: false },
        { userId: bob.id, username: 'vbob', isMuted: true },
      ],
    });
    expect(live.body._pos).toBeUndefined();
    expect((await me(alice, second.position)).voiceState).toMatchObject({ channelId: g.voice, revoltId: g.revoltId, sessionId: joined.sessionId, isMuted: false });
    const publicAlice = await t.api.request('GET', `/v1/users/${alice.id}`, { token: bob.token });
    expect(publicAlice.body.voiceState).toBeUndefined();

    const speaking = await voice.setSpeaking(alice.id, g.voice, true);
    expect(speaking.changed).toBe(true);
    expect((await voice.setSpeaking(alice.id, g.voice, true)).changed).toBe(false);
    await voice.setStream(alice.id, g.voice, 'audio', 'mic-producer-1');
    const speakingDoc = await voiceOf(g.voice, alice, await head());
    expect(speakingDoc.body.participants[0]).toMatchObject({ isSpeaking: true, streamId: 'mic-producer-1', streams: { audio: 'mic-producer-1' } });

    const aliceLeft = await voice.leave(alice.id);
    expect(aliceLeft).toMatchObject({ channelId: g.voice, sessionId: joined.sessionId, sessionEnded: false });
    expect(await voice.leave(alice.id)).toEqual({ channelId: null, sessionId: null, sessionEnded: false, position: null });
    const bobLost = await voice.leaveEverywhere(bob.id);
    expect(bobLost).toMatchObject({ channelId: g.voice, sessionEnded: true });
    expect(await voice.channel(g.voice)).toBeNull();
    expect(await voice.currentChannel(bob.id)).toBeNull();

    expect((await voiceOf(g.voice, alice, bobLost.position)).status).toBe(404);
    const history = await t.api.request('GET', '/v1/voice/sessions?active=false', { token: alice.token, headers: minPosition(bobLost.position) });
    expect(history.body.items).toHaveLength(1);
    const ended = history.body.items[0];
    expect(ended).toMatchObject({ id: joined.sessionId, isActive: false });
    expect(Date.parse(ended.endedAt)).toBeGreaterThanOrEqual(Date.parse(ended.startedAt));
    for (const row of ended.participants) expect(row).toMatchObject({ isSpeaking: false, leftAt: expect.any(String) });
    const minutes = (row: { joinedAt: string; leftAt: string }) => (Date.parse(row.leftAt) - Date.parse(row.joinedAt)) / 60_000;
    const aliceMe = await me(alice, bobLost.position);
    expect(aliceMe.voiceState).toBeUndefined();
    expect(aliceMe.stats.voiceTime).toBe(minutes(ended.participants[0]));
    expect(aliceMe.revoltMemberships[0].voiceTime).toBe(minutes(ended.participants[0]));
    expect((await me(bob, bobLost.position)).stats.voiceTime).toBe(minutes(ended.participants[1]));
    const [left] = (await t.server.services.store.readStream(voiceChannelStream(g.voice))).filter((e) => e.type === 'VoiceParticipantLeft');
    expect(left?.metadata).toMatchObject({ actorId: alice.id, schemaVersion: 1, correlationId: expect.any(String), causationId: expect.any(String) });
  });

  it('one channel at a time: joining another leaves the first; a refused join leaves one where one was', async () => {
    const [owner, alice, bob, carol] = await users('oowner', 'oalice', 'obob', 'ocarol');
    const g = await guild(owner, [alice, bob, carol]);
    const first = await voice.join(alice.id, g.voice);
    const moved = await voice.join(alice.id, g.small);
    expect(moved.sessionId).not.toBe(first.sessionId);
    expect(await voice.channel(g.voice)).toBeNull();
    expect(await voice.currentChannel(alice.id)).toMatchObject({ channelId: g.small });
    const events = await t.server.services.store.readStream(voiceChannelStream(g.voice));
    expect(events.map((e) => e.type)).toEqual(['VoiceSessionStarted', 'VoiceParticipantJoined', 'VoiceParticipantLeft', 'VoiceSessionEnded']);
    expect(events[2]?.data).toMatchObject({ reason: 'switched' });

    await voice.join(bob.id, g.small);
    await voice.join(carol.id, g.voice);
    await expect(voice.join(carol.id, g.small)).rejects.toMatchObject({ status: 422, code: 'voice_channel_full' });
    expect(await voice.currentChannel(carol.id)).toMatchObject({ channelId: g.voice });
    await expect(voice.join(carol.id, g.general)).rejects.toMatchObject({ status: 422, code: 'not_a_voice_channel' });
    await expect(voice.join(carol.id, g.hidden)).rejects.toMatchObject({ status: 404 });
    await expect(voice.join(carol.id, '0'.repeat(24))).rejects.toMatchObject({ status: 404 });
    const [outsider] = await users('ooutsider');
    await expect(voice.join(outsider!.id, g.voice)).rejects.toMatchObject({ status: 404 });

    // Two joins at once by one user end with them in exactly one channel.
    const [dave] = await users('odave');
    expect((await t.api.request('POST', `/v1/invites/${(await t.api.request('GET', `/v1/revolts/${g.revoltId}`, { token: owner.token })).body.inviteCode}`, { token: dave!.token })).status).toBe(200);
    await Promise.all([voice.join(dave!.id, g.voice), voice.join(dave!.id, g.video)]);
    const where = [await voice.channel(g.voice), await voice.channel(g.video)].filter((s) => s?.participants.some((p) => p.userId === dave!.id));
    expect(where).toHaveLength(1);
  });
});

describe('over HTTP: a participant’s own state and moderators', () => {
  it('self mute/deafen/video/screen with their permissions; server mute, deafen, move and disconnect with theirs', async () => {
    const [owner, alice, bob, mod] = await users('howner', 'halice', 'hbob', 'hmod');
    const g = await guild(owner, [alice, bob], [mod]);
    const deny = await t.api.request('PUT', `/v1/channels/${g.voice}/permissions/${bob.id}`, { token: owner.token, body: { type: 'member', deny: ['STREAM'] } });
    expect(deny.status).toBe(204);

    const join = await t.api.request('PUT', `/v1/channels/${g.voice}/voice/members/@me`, { token: bob.token, body: {} });
    expect(join.status, JSON.stringify(join.body)).toBe(200);
    expect(join.headers['x-event-position']).toBeDefined();
    expect(join.body).toMatchObject({ channelId: g.voice, participants: [{ userId: bob.id }] });
    expect((await t.api.request('PUT', `/v1/channels/${g.voice}/voice/members/@me`, { token: alice.token, body: { selfDeaf: true } })).status).toBe(200);

    const patch = (user: User, body: object, channelId = g.voice) => t.api.request('PATCH', `/v1/channels/${channelId}/voice/members/@me`, { token: user.token, body });
    const video = await patch(bob, { video: true });
    expect(video.status).toBe(200);
    expect(video.body.participant).toMatchObject({ isVideoEnabled: true });
    const screen = await patch(bob, { screenShare: true });
    expect(screen.status).toBe(403);
    expect(screen.body.error.details).toEqual({ missing: ['STREAM'] });
    expect((await patch(bob, {})).status).toBe(400);
    expect((await patch(bob, { selfMute: true }, g.small)).body.error.code).toBe('not_in_voice');
    const unmute = await patch(alice, { selfMute: false });
    expect(unmute.body.participant).toMatchObject({ selfDeaf: false, isMuted: false, isDeafened: false });

    const moderate = (actor: User, target: User, body: object, channelId = g.voice) =>
      t.api.request('PATCH', `/v1/channels/${channelId}/voice/members/${target.id}`, { token: actor.token, body });
    const refused = await moderate(alice, bob, { serverMute: true });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual({ missing: ['MUTE_MEMBERS'] });
    expect((await moderate(mod, owner, { serverMute: true })).status).toBe(404);
    const muted = await moderate(mod, bob, { serverMute: true, serverDeaf: true });
    expect(muted.status).toBe(200);
    expect(muted.body.participant).toMatchObject({ serverMute: true, serverDeaf: true, isMuted: true, isDeafened: true });
    expect((await voiceOf(g.voice, alice, Number(muted.headers['x-event-position']))).body.participants[0]).toMatchObject({ userId: bob.id, isMuted: true, isDeafened: true });

    // A server mute outlives a reconnect.
    expect((await t.api.request('DELETE', `/v1/channels/${g.voice}/voice/members/@me`, { token: bob.token })).status).toBe(204);
    const back = await voice.join(bob.id, g.voice);
    expect(back.participants.find((p) => p.userId === bob.id)).toMatchObject({ serverMute: true, serverDeaf: true });
    await voice.serverMute(mod.id, bob.id, false);
    await voice.serverDeafen(mod.id, bob.id, false);
    await voice.updateSelf(bob.id, { video: true });

    const move = (actor: User, target: User, to: string) =>
      t.api.request('POST', `/v1/channels/${g.voice}/voice/members/${target.id}/move`, { token: actor.token, body: { channelId: to } });
    expect((await move(alice, bob, g.video)).status).toBe(403);
    const movedRes = await move(mod, bob, g.video);
    expect(movedRes.status, JSON.stringify(movedRes.body)).toBe(200);
    expect(movedRes.body).toMatchObject({ fromChannelId: g.voice, toChannelId: g.video, participant: { userId: bob.id, isVideoEnabled: true } });
    expect(await voice.currentChannel(bob.id)).toMatchObject({ channelId: g.video });
    const inVideo = await voiceOf(g.video, bob, Number(movedRes.headers['x-event-position']));
    expect(inVideo.body.participants).toEqual([expect.objectContaining({ userId: bob.id })]);

    expect((await t.api.request('DELETE', `/v1/channels/${g.video}/voice/members/${bob.id}`, { token: alice.token })).status).toBe(403);
    expect((await t.api.request('DELETE', `/v1/channels/${g.voice}/voice/members/${bob.id}`, { token: mod.token })).status).toBe(404);
    const gone = await t.api.request('DELETE', `/v1/channels/${g.video}/voice/members/${bob.id}`, { token: mod.token });
    expect(gone.status).toBe(204);
    expect(await voice.currentChannel(bob.id)).toBeNull();
    const [left] = (await t.server.services.store.readStream(voiceChannelStream(g.video))).filter((e) => e.type === 'VoiceParticipantLeft');
    expect(left?.data).toMatchObject({ reason: 'disconnected', by: mod.id });
    expect(left?.metadata.actorId).toBe(mod.id);
  });

  it('queries: 404 for channels one cannot see, 422 for text channels, sessions only where one may look', async () => {
    const [owner, alice, outsider] = await users('qowner', 'qalice', 'qoutsider');
    const g = await guild(owner, [alice]);
    const secret = await voice.join(owner.id, g.hidden);
    const open = await voice.join(alice.id, g.voice);
    expect((await voiceOf(g.hidden, alice, secret.position)).status).toBe(404);
    expect((await voiceOf(g.hidden, owner, secret.position)).status).toBe(200);
    expect((await voiceOf(g.voice, outsider, open.position)).status).toBe(404);
    expect((await voiceOf(g.general, alice, open.position)).body.error.code).toBe('not_a_voice_channel');
    expect((await voiceOf(g.small, alice, open.position)).status).toBe(404);
    expect((await t.api.request('GET', `/v1/channels/${g.voice}/voice`)).status).toBe(401);
    const list = async (user: User) =>
      (await t.api.request('GET', '/v1/voice/sessions?active=true', { token: user.token, headers: minPosition(open.position) })).body.items.map((s: { id: string }) => s.id);
    expect(await list(alice)).toEqual([open.sessionId]);
    expect(new Set(await list(owner))).toEqual(new Set([open.sessionId, secret.sessionId]));
    expect(await list(outsider)).toEqual([]);
    const paged = await t.api.request('GET', '/v1/voice/sessions?active=true&limit=1', { token: owner.token });
    expect(paged.body.items).toHaveLength(1);
    const rest = await t.api.request('GET', `/v1/voice/sessions?active=true&limit=1&before=${paged.body.next}`, { token: owner.token });
    expect(rest.body.items.map((s: { id: string }) => s.id)).not.toContain(paged.body.items[0].id);
    expect(rest.body.items).toHaveLength(1);
    await voice.leave(owner.id);
    await voice.leave(alice.id);
  });
});

describe('losing access removes one from voice', () => {
  it('kicked, banned, CONNECT taken away, channel deleted: out of the channel at once, sessions ended', async () => {
    const [owner, alice, bob, carol] = await users('kowner', 'kalice', 'kbob', 'kcarol');
    const g = await guild(owner, [alice, bob, carol]);
    await voice.join(alice.id, g.voice);
    await voice.join(bob.id, g.voice);
    await voice.join(carol.id, g.small);
    expect((await t.api.request('DELETE', `/v1/revolts/${g.revoltId}/members/${alice.id}`, { token: owner.token })).status).toBe(204);
    await swept();
    expect((await voice.channel(g.voice))?.participants.map((p) => p.userId)).toEqual([bob.id]);
    expect(await voice.currentChannel(alice.id)).toBeNull();

    const denied = await t.api.request('PUT', `/v1/channels/${g.voice}/permissions/${bob.id}`, { token: owner.token, body: { type: 'member', deny: ['CONNECT'] } });
    expect(denied.status).toBe(204);
    await swept();
    expect(await voice.channel(g.voice)).toBeNull();
    await expect(voice.updateSelf(bob.id, { selfMute: true })).rejects.toMatchObject({ status: 422, code: 'not_in_voice' });

    expect((await t.api.request('DELETE', `/v1/channels/${g.small}`, { token: owner.token })).status).toBe(204);
    await swept();
    expect(await voice.channel(g.small)).toBeNull();
    const events = await t.server.services.store.readStream(voiceChannelStream(g.small));
    expect(events.slice(-2).map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([
      ['VoiceParticipantLeft', 'removed'],
      ['VoiceSessionEnded', undefined],
    ]);
    const sessions = await t.server.services.db.collection('voiceSessions');
    expect(await t.server.engine.waitForPosition('voiceSessions', await head(), 10_000)).toBe(true);
    expect(await sessions.countDocuments({ revoltId: new ObjectId(g.revoltId), isActive: true })).toBe(0);
  });
});

describe('stats and the read model under redelivery and rebuild', () => {
  it('voiceTime and screenShareTime are exact, and stay so after a redelivery and a rebuild', async () => {
    const [owner, alice, bob] = await users('sowner', 'salice', 'sbob');
    const g = await guild(owner, [alice, bob]);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 15));
    for (let round = 0; round < 3; round++) {
      await voice.join(alice.id, g.voice);
      await voice.join(bob.id, g.voice);
      await voice.updateSelf(alice.id, { screenShare: true });
      await pause();
      await voice.updateSelf(alice.id, { screenShare: false });
      await voice.updateSelf(alice.id, { screenShare: true, video: true });
      await pause();
      await voice.join(alice.id, g.video); // switching ends her screen share and her stay in voice
      await voice.leave(bob.id);
      await voice.leave(alice.id);
    }
    await voice.join(bob.id, g.voice); // still there: counted once he leaves

    const { services, engine } = t.server;
    const all = await services.store.readAll({ after: 0, maxCount: 100_000 });
    const expected = (userId: string) => {
      let voiceMs = 0;
      let screenMs = 0;
      for (const e of all) {
        const d = e.data as { userId?: string; durationMs?: number; screenShareMs?: number };
        if (d.userId !== userId) continue;
        if (e.type === 'VoiceParticipantLeft') voiceMs += d.durationMs!;
        if (e.type === 'VoiceParticipantLeft' || e.type === 'VoiceStateChanged') screenMs += d.screenShareMs ?? 0;
      }
      return { voiceTime: voiceMs / 60_000, screenShareTime: screenMs / 60_000 };
    };
    const aliceExpected = expected(alice.id);
    expect(aliceExpected.screenShareTime).toBeGreaterThan(0);
    const position = await head();
    for (const name of ['users', 'voiceSessions']) expect(await engine.waitForPosition(name, position, 10_000)).toBe(true);
    const figures = async () => {
      const stats = async (user: User) => {
        const doc = await services.db.collection('users').findOne({ id: user.id });
        return { voiceTime: doc?.stats.voiceTime, screenShareTime: doc?.stats.screenShareTime, inVoice: doc?.voiceState?.channelId?.toHexString() ?? null };
      };
      const docs = await services.db.collection('voiceSessions').find({ revoltId: new ObjectId(g.revoltId) }, { projection: { _pos: 0 } }).sort({ _id: 1 }).toArray();
      return { alice: await stats(alice), bob: await stats(bob), sessions: docs };
    };
    const before = await figures();
    expect(before.alice).toEqual({ ...aliceExpected, inVoice: null });
    expect(before.bob).toEqual({ ...expected(bob.id), inVoice: g.voice });
    // Per session row, joinedAt..leftAt adds up to the voice time.
    const rowsMs = before.sessions.flatMap((s) => s.participants).filter((p) => p.userId.toHexString() === alice.id).reduce((ms, p) => ms + (p.leftAt - p.joinedAt), 0);
    expect(rowsMs / 60_000).toBe(aliceExpected.voiceTime);
    expect(before.sessions.filter((s) => s.isActive)).toHaveLength(1);

    for (const model of readModels.filter((m) => ['users', 'voiceSessions'].includes(m.name))) {
      for (const event of all) await model.apply(event, liveContext(services.db, model));
    }
    expect(await figures()).toEqual(before);

    for (const name of ['users', 'voiceSessions']) expect((await engine.rebuild(name)).position).toBeGreaterThanOrEqual(position);
    expect(await figures()).toEqual(before);
    await voice.leave(bob.id);
  });
});

describe('the API document and the indexes', () => {
  it('documents every voice route from the zod schemas that validate it', async () => {
    const doc = await t.api.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: object } }> } }>>;
    const routes = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /v1/voice/sessions',
        'GET /v1/channels/{channelId}/voice',
        'PUT /v1/channels/{channelId}/voice/members/@me',
        'PATCH /v1/channels/{channelId}/voice/members/@me',
        'DELETE /v1/channels/{channelId}/voice/members/@me',
        'PATCH /v1/channels/{channelId}/voice/members/{userId}',
        'POST /v1/channels/{channelId}/voice/members/{userId}/move',
        'DELETE /v1/channels/{channelId}/voice/members/{userId}',
      ]),
    );
    const body = (path: string, method: string) => Object.keys(paths[path]![method]!.requestBody!.content['application/json']!.schema.properties);
    expect(body('/v1/channels/{channelId}/voice/members/@me', 'patch')).toEqual(['selfMute', 'selfDeaf', 'video', 'screenShare']);
    expect(body('/v1/channels/{channelId}/voice/members/{userId}', 'patch')).toEqual(['serverMute', 'serverDeaf']);
  });

  it('voiceSessions has every index of the seed, created at start-up', async () => {
    const indexes = await t.server.services.db.collection('voiceSessions').indexes();
    const keys = indexes.map((index) => JSON.stringify(index.key));
    for (const key of [{ id: 1 }, { revoltId: 1 }, { channelId: 1 }, { isActive: 1 }, { 'participants.userId': 1 }, { startedAt: -1 }]) {
      expect(keys).toContain(JSON.stringify(key));
    }
    expect(indexes.find((index) => JSON.stringify(index.key) === '{"id":1}')?.unique).toBe(true);
  });
});
