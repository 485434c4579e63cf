// Voice signalling over the gateway socket (src/voice/signalling), with `ws` clients against a gateway node running
// real mediasoup workers and the real engines: errors are answered, never fatal; permissions and maxMembers come
// from the voice domain; moderators' actions reach the target's socket, its media and the recorded state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceCommands } from '../../src/commands/voice/execute.ts';
import { eventually } from '../realtime/support.ts';
import { startVoiceServer, voiceRevolt, VoiceSocket, type VoiceServer } from './signalling-support.ts';

let server: VoiceServer;

beforeAll(async () => {
  server = await startVoiceServer('voicesig');
});

afterAll(async () => {
  await server?.close();
});

const sockets: VoiceSocket[] = [];
async function connect(token: string): Promise<VoiceSocket> {
  const socket = await VoiceSocket.identify(server.url(), token);
  sockets.push(socket);
  return socket;
}
afterAll(async () => {
  await Promise.allSettled(sockets.map((s) => s.close()));
});

/** The channel's live session as the event store has it (read-your-writes). */
const liveSession = (channelId: string) => createVoiceCommands(server.server.services).channel(channelId);

describe('voice signalling', () => {
  it('answers malformed, unknown and premature requests with errors and keeps the socket open', async () => {
    const { owner, voiceChannel } = await voiceRevolt(server);
    const socket = await connect(owner.token);

    socket.client.send('VOICE_REQUEST', 'not an object');
    const envelope = await socket.client.next((f) => f.op === 'VOICE_RESPONSE' && f.d.id === null);
    expect(envelope.d).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    expect((await socket.request('teleport', {})).error?.code).toBe('unknown_method');
    const badJoin = await socket.request('join', { channelId: 'not-an-id' });
    expect(badJoin).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(JSON.stringify(badJoin.error?.details)).toContain('channelId');
    expect((await socket.request('join', { channelId: voiceChannel, extra: 1 })).error?.code).toBe('bad_request');
    expect((await socket.request('produce', { transportId: 't', kind: 'audio', source: 'webcam', rtpParameters: { codecs: [{}] } })).error?.code).toBe('bad_request');
    expect((await socket.request('setSelf', {})).error?.code).toBe('bad_request');

    expect((await socket.request('createTransport', { direction: 'send' })).error?.code).toBe('not_in_voice');
    expect((await socket.request('setSelf', { selfMute: true })).error?.code).toBe('not_in_voice');

    const joined = await socket.ok('join', { channelId: voiceChannel });
    expect(joined.mediaJoined).toBe(false);
    expect((await socket.request('createTransport', { direction: 'send' })).error?.code).toBe('media_not_joined');
    // mediasoup's own validation of parameters comes back as the media layer's error, not a crash.
    await socket.ok('setRtpCapabilities', { rtpCapabilities: joined.routerRtpCapabilities });
    const transport = await socket.ok('createTransport', { direction: 'send' });
    const bogus = await socket.request('connectTransport', { transportId: transport.id, dtlsParameters: { fingerprints: [{ algorithm: 'nope', value: 'x' }] } });
    expect(bogus.ok).toBe(false);
    expect((await socket.request('resumeConsumer', { consumerId: 'nope' })).error?.code).toBe('consumer_not_found');

    expect(socket.client.closeCode).toBeUndefined();
    await socket.ok('leave');
  });

  it("ends the stay of a socket whose node died (its presence entry lapsed), once, through the publisher's sweep", async () => {
    const { member, voiceChannel } = await voiceRevolt(server);
    const socket = await connect(member.token);
    await socket.ok('join', { channelId: voiceChannel });
    expect((await liveSession(voiceChannel))?.participants.map((p) => p.userId)).toEqual([member.id]);

    // The node of that socket dies: nothing refreshes its presence entry any more, and nobody records its leave.
    const { redis, config, store } = server.server.services;
    await redis.del(`${config.REDIS_PREFIX}:gw:conn:${member.id}`);
    const deadline = Date.now() + 20_000;
    while ((await liveSession(voiceChannel)) !== null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await liveSession(voiceChannel)).toBeNull();

    // Its holder record is gone with it: the next sweeps, and the socket closing at last, end nothing more.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    socket.client.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const leaves = (await store.readAll({ after: 0, maxCount: 10_000 })).filter(
      (event) => event.type === 'VoiceParticipantLeft' && (event.data as { userId?: string }).userId === member.id,
    );
    expect(leaves).toHaveLength(1);
    expect(leaves[0]!.data).toMatchObject({ reason: 'connection_lost' });
  });

  it('refuses a join without CONNECT and a join past maxMembers, with the domain codes', async () => {
    const { cmd, owner, member, revolt, voiceChannel } = await voiceRevolt(server, { maxMembers: 1 });
    const ownerSocket = await connect(owner.token);
    const memberSocket = await connect(member.token);

    await cmd.overwrite(owner, voiceChannel, revolt.everyone, { type: 'role', deny: ['CONNECT'] });
    const denied = await memberSocket.request('join', { channelId: voiceChannel });
    expect(denied).toMatchObject({ ok: false, error: { code: 'forbidden', details: { missing: ['CONNECT'] } } });
    await cmd.overwrite(owner, voiceChannel, revolt.everyone, { type: 'role', deny: [] });

    const first = await ownerSocket.ok('join', { channelId: voiceChannel });
    expect(first.participants.map((p: { userId: string }) => p.userId)).toEqual([owner.id]);
    const full = await memberSocket.request('join', { channelId: voiceChannel });
    expect(full).toMatchObject({ ok: false, error: { code: 'voice_channel_full', details: { maxMembers: 1 } } });
    expect((await liveSession(voiceChannel))?.participants.map((p) => p.userId)).toEqual([owner.id]);
    expect(server.media.hasPeer(voiceChannel, member.id)).toBe(false);

    const left = await ownerSocket.ok('leave');
    expect(left).toMatchObject({ channelId: voiceChannel, sessionEnded: true });
    expect(await liveSession(voiceChannel)).toBeNull();
  });

  it("delivers moderators' server mute, move and disconnect to the target's socket, media and recorded state", async () => {
    const { cmd, owner, member, revolt, voiceChannel } = await voiceRevolt(server);
    const other = await cmd.ok('POST', `/v1/revolts/${revolt.id}/channels`, owner.token, { name: 'Stage', type: 'voice' });
    const stage = other.body.id as string;
    const mod = await connect(owner.token);
    const target = await connect(member.token);

    const joined = await target.ok('join', { channelId: voiceChannel });
    // The router's own capabilities stand in for a device's (everything in them is consumable).
    await target.ok('setRtpCapabilities', { rtpCapabilities: joined.routerRtpCapabilities });
    expect(server.media.hasPeer(voiceChannel, member.id)).toBe(true);
    await mod.ok('join', { channelId: voiceChannel });
    // Voice events are dispatched to whoever may view the channel (both are members here).
    await mod.client.waitFor(1, (f) => f.t === 'VoiceParticipantJoined' && f.d.userId === member.id);

    // Only moderators moderate.
    const refused = await target.request('serverMute', { userId: owner.id, mute: true });
    expect(refused.ok).toBe(false);
    expect(['forbidden', 'not_found']).toContain(refused.error?.code);

    const muted = await mod.ok('serverMute', { userId: member.id, mute: true });
    expect(muted.participant).toMatchObject({ userId: member.id, serverMute: true, isMuted: true });
    expect(await target.event('moderated', (d) => d.serverMute === true)).toMatchObject({ channelId: voiceChannel, by: owner.id });
    await target.client.waitFor(1, (f) => f.t === 'VoiceStateChanged' && f.d.userId === member.id && f.d.serverMute === true);
    expect((await liveSession(voiceChannel))?.participants.find((p) => p.userId === member.id)).toMatchObject({ serverMute: true });
    // A server-muted participant cannot unmute themselves (the domain refuses before media is asked).
    const unmute = await target.request('setSelf', { selfMute: false });
    expect(unmute.ok && unmute.data.isMuted).toBe(true);

    await mod.ok('serverDeafen', { userId: member.id, deafen: true });
    expect(await target.event('moderated', (d) => d.serverDeaf === true)).toMatchObject({ serverMute: true });

    const moved = await mod.ok('move', { userId: member.id, channelId: stage });
    expect(moved).toMatchObject({ fromChannelId: voiceChannel, toChannelId: stage });
    const movedEvent = await target.event('moved');
    expect(movedEvent).toMatchObject({ fromChannelId: voiceChannel, toChannelId: stage, by: owner.id, mediaJoined: true });
    expect(server.media.hasPeer(stage, member.id)).toBe(true);
    expect(server.media.hasPeer(voiceChannel, member.id)).toBe(false);
    // The target's socket now works in the new room.
    expect((await target.ok('createTransport', { direction: 'recv' })).id).toEqual(expect.any(String));

    const gone = await mod.ok('disconnect', { userId: member.id });
    expect(gone).toMatchObject({ channelId: stage, sessionEnded: true });
    expect(await target.event('disconnected')).toMatchObject({ channelId: stage, reason: 'disconnected', by: owner.id });
    await eventually(() => !server.media.hasPeer(stage, member.id), 5000, 'the target to leave media');
    expect(await liveSession(stage)).toBeNull();
    expect((await target.request('createTransport', { direction: 'send' })).error?.code).toBe('not_in_voice');
    expect(target.client.closeCode).toBeUndefined();
    await mod.ok('leave');
  });

  it("records media's speaking reports through the domain, dispatched to the channel's viewers", async () => {
    const { owner, member, voiceChannel } = await voiceRevolt(server);
    const speaker = await connect(member.token);
    const viewer = await connect(owner.token);
    await speaker.ok('join', { channelId: voiceChannel });
    // What the media layer's debounced audio-level observer emits for a participant of this node.
    server.media.emit('speaking', voiceChannel, member.id, true);
    const dispatched = await viewer.client.waitFor(1, (f) => f.t === 'VoiceSpeakingChanged' && f.d.userId === member.id);
    expect(dispatched[0]!.d).toMatchObject({ channelId: voiceChannel, speaking: true });
    expect((await liveSession(voiceChannel))?.participants.find((p) => p.userId === member.id)?.isSpeaking).toBe(true);
    // A muted participant is never speaking (the domain decides, not media).
    await speaker.ok('setSelf', { selfMute: true });
    expect((await liveSession(voiceChannel))?.participants.find((p) => p.userId === member.id)?.isSpeaking).toBe(false);
    await speaker.ok('leave');
  });

  it('leaves voice when the socket closes, but not when another socket of the user holds it', async () => {
    const { member, voiceChannel } = await voiceRevolt(server);
    const first = await connect(member.token);
    const joined = await first.ok('join', { channelId: voiceChannel });
    await first.ok('setRtpCapabilities', { rtpCapabilities: joined.routerRtpCapabilities });

    // A second socket of the same user takes voice over: the first is told, and closing it changes nothing.
    const second = await connect(member.token);
    await second.ok('join', { channelId: voiceChannel });
    expect(await first.event('disconnected')).toMatchObject({ channelId: voiceChannel, reason: 'replaced' });
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await liveSession(voiceChannel))?.participants.map((p) => p.userId)).toEqual([member.id]);

    await second.client.drop();
    await eventually(async () => (await liveSession(voiceChannel)) === null, 5000, 'the session to end with the socket');
    expect(server.media.hasPeer(voiceChannel, member.id)).toBe(false);
  });
});
