// The media layer with RTP flowing: participants over PlainTransports, Opus sent from Node's dgram.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceMedia } from '../../src/voice/media/index.ts';
import { PlainTransportParticipant, startMedia, WORKER_BIN } from './support/participants.ts';
import { packetsDuring, waitFor } from './support/rtp.ts';

type Recorded = { event: string; args: unknown[] };

describe.skipIf(!WORKER_BIN)('voice media: one room, RTP through PlainTransports', () => {
  let media: VoiceMedia;
  const peers: PlainTransportParticipant[] = [];
  const events: Recorded[] = [];

  beforeAll(async () => {
    media = await startMedia({ workers: 1, speaking: { intervalMs: 100, holdMs: 800, minGapMs: 500 } });
    for (const event of ['consumerClosed', 'producerPaused', 'producerResumed', 'speaking', 'peerRemoved'] as const) {
      media.on(event, (...args: unknown[]) => events.push({ event, args }));
    }
  });
  afterAll(async () => {
    for (const peer of peers) peer.close();
    await media?.close();
  });

  const join = async (channelId: string, userId: string, receive = true) => {
    const peer = await PlainTransportParticipant.join(media, channelId, userId, { receive });
    peers.push(peer);
    return peer;
  };

  it('consumes a producer for every other participant, and the RTP arrives', async () => {
    const alice = await join('ch-flow', 'alice');
    const bob = await join('ch-flow', 'bob');
    await alice.speak();
    const carol = await join('ch-flow', 'carol'); // joins after the producer: gets a consumer too

    await waitFor(() => bob.sink!.packets >= 10 && carol.sink!.packets >= 10, () => `bob ${bob.sink!.packets}, carol ${carol.sink!.packets}`);
    for (const peer of [bob, carol]) {
      expect(peer.consumers).toHaveLength(1);
      expect(peer.consumers[0]).toMatchObject({ producerId: alice.producerId, producerUserId: 'alice', kind: 'audio', source: 'mic', paused: true });
    }
    expect(alice.consumers).toHaveLength(0); // nobody consumes their own producer
    expect(alice.sink!.packets).toBe(0);
    expect(media.roomStats()).toEqual([
      expect.objectContaining({ channelId: 'ch-flow', peers: 3, producers: 1, homeNodeId: 'test-node', links: [] }),
    ]);
    expect((await media.workerStats())[0]!.load).toBe(3); // one producer, two consumers
    // mediasoup's own counters agree: RTP in from alice, out to bob and carol.
    const aliceStats = await media.peerStats('ch-flow', 'alice');
    expect(aliceStats.producers).toEqual([expect.objectContaining({ producerId: alice.producerId, source: 'mic' })]);
    expect(aliceStats.producers[0]!.packets).toBeGreaterThanOrEqual(10);
    const [bobConsumer] = (await media.peerStats('ch-flow', 'bob')).consumers;
    expect(bobConsumer).toMatchObject({ producerId: alice.producerId });
    expect(bobConsumer!.bytes).toBeGreaterThan(0);
    expect(bobConsumer!.packets).toBeGreaterThanOrEqual(bob.sink!.packets - 2);
  });

  it('mute pauses the producer: the flow stops, consumers hear producerPaused; unmute resumes it', async () => {
    const [alice, bob] = peers as [PlainTransportParticipant, PlainTransportParticipant];
    await media.pauseProducer('ch-flow', 'alice', 'mic');
    await new Promise((r) => setTimeout(r, 100));
    expect(await packetsDuring(bob.sink!, 300)).toBe(0);
    expect(events.filter((e) => e.event === 'producerPaused').map((e) => e.args.slice(0, 2))).toEqual(
      expect.arrayContaining([['ch-flow', 'bob'], ['ch-flow', 'carol']]),
    );
    await media.resumeProducer('ch-flow', 'alice', 'mic');
    expect(await packetsDuring(bob.sink!, 300)).toBeGreaterThan(5);
    expect(events.some((e) => e.event === 'producerResumed' && e.args[1] === 'bob')).toBe(true);
    expect(alice.sender!.sent).toBeGreaterThan(0);
  });

  it('server mute pauses the mic and its owner cannot resume it; lifting it resumes', async () => {
    const bob = peers[1]!;
    await media.setServerMuted('ch-flow', 'alice', true);
    await expect(media.resumeProducer('ch-flow', 'alice', 'mic')).rejects.toMatchObject({ code: 'server_muted' });
    await new Promise((r) => setTimeout(r, 100));
    expect(await packetsDuring(bob.sink!, 300)).toBe(0);
    await media.setServerMuted('ch-flow', 'alice', false);
    expect(await packetsDuring(bob.sink!, 300)).toBeGreaterThan(5);
  });

  it('deafen pauses every consumer of the deafened user only; undeafen resumes them', async () => {
    const [, bob, carol] = peers as [PlainTransportParticipant, PlainTransportParticipant, PlainTransportParticipant];
    await media.setDeafened('ch-flow', 'bob', true);
    await new Promise((r) => setTimeout(r, 100));
    const [bobDuring, carolDuring] = await Promise.all([packetsDuring(bob.sink!, 300), packetsDuring(carol.sink!, 300)]);
    expect(bobDuring).toBe(0);
    expect(carolDuring).toBeGreaterThan(5);
    // A consumer resumed while deafened stays paused.
    await media.resumeConsumer('ch-flow', 'bob', bob.consumers[0]!.id);
    expect(await packetsDuring(bob.sink!, 200)).toBe(0);
    await media.setDeafened('ch-flow', 'bob', false);
    expect(await packetsDuring(bob.sink!, 300)).toBeGreaterThan(5);
  });

  it('reports speaking from the audio level, debounced, and stops it on mute', async () => {
    const alice = peers[0]!;
    const speaking = () => events.filter((e) => e.event === 'speaking').map((e) => e.args);
    alice.sender!.level = 10; // loud
    await waitFor(() => speaking().length === 1, () => JSON.stringify(speaking()), 3000);
    expect(speaking()).toEqual([['ch-flow', 'alice', true]]);
    // Pauses well under the hold time (breaths between words) are not reported.
    for (let i = 0; i < 3; i++) {
      alice.sender!.level = 127;
      await new Promise((r) => setTimeout(r, 100));
      alice.sender!.level = 10;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(speaking()).toHaveLength(1);
    alice.sender!.level = 127;
    await waitFor(() => speaking().length === 2, () => JSON.stringify(speaking()), 3000);
    expect(speaking()[1]).toEqual(['ch-flow', 'alice', false]);
    // Speaking again, then muted: false at once.
    alice.sender!.level = 5;
    await waitFor(() => speaking().length === 3, () => JSON.stringify(speaking()), 3000);
    await media.pauseProducer('ch-flow', 'alice', 'mic');
    expect(speaking()[3]).toEqual(['ch-flow', 'alice', false]);
    await media.resumeProducer('ch-flow', 'alice', 'mic');
    alice.sender!.level = 127;
  });

  it('refuses what it cannot do with clear codes', async () => {
    const transport = await media.createPlainTransport('ch-flow', 'bob', 'send');
    const recv = await media.createPlainTransport('ch-flow', 'bob', 'recv');
    const audio = { kind: 'audio' as const, rtpParameters: peers[0]!.consumers[0]?.rtpParameters ?? { codecs: [], encodings: [] } };
    await expect(media.join('ch-flow', 'dave', { rtpCapabilities: {} as never })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(media.createWebRtcTransport('ch-flow', 'nobody', 'send')).rejects.toMatchObject({ code: 'not_joined' });
    await expect(media.createWebRtcTransport('ch-flow', 'bob', 'sideways' as never)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(media.produce('ch-flow', 'bob', 'nope', { ...audio, source: 'mic' })).rejects.toMatchObject({ code: 'transport_not_found' });
    await expect(media.produce('ch-flow', 'bob', recv.id, { ...audio, source: 'mic' })).rejects.toMatchObject({ code: 'wrong_direction' });
    await expect(media.produce('ch-flow', 'bob', transport.id, { ...audio, source: 'webcam' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(media.produce('ch-flow', 'bob', transport.id, { kind: 'audio', source: 'mic', rtpParameters: { codecs: [], encodings: [] } })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(media.produce('ch-flow', 'alice', peers[0]!.consumers[0]?.id ?? 'x', { ...audio, source: 'mic' })).rejects.toMatchObject({ code: 'transport_not_found' });
    await expect(media.pauseProducer('ch-flow', 'bob', 'screen')).rejects.toMatchObject({ code: 'producer_not_found' });
    await expect(media.resumeConsumer('ch-flow', 'bob', 'nope')).rejects.toMatchObject({ code: 'consumer_not_found' });
    await expect(media.connectTransport('ch-flow', 'bob', transport.id, { fingerprints: [] } as never)).rejects.toMatchObject({ code: 'bad_request' });
    await media.join('ch-full', 'x', { rtpCapabilities: await media.routerRtpCapabilities('ch-full'), settings: { maxMembers: 1 } });
    await expect(media.join('ch-full', 'y', { rtpCapabilities: await media.routerRtpCapabilities('ch-full') })).rejects.toMatchObject({ code: 'room_full' });
    await media.leave('ch-full', 'x');
  });

  it('accepts a simulcast webcam: its consumers are simulcast and take preferred layers', async () => {
    const transport = await media.createPlainTransport('ch-flow', 'carol', 'send');
    const base = 0x7e570000;
    const { producerId } = await media.produce('ch-flow', 'carol', transport.id, {
      kind: 'video',
      source: 'webcam',
      rtpParameters: {
        codecs: [
          { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
        ],
        encodings: [0, 1, 2].map((i) => ({ ssrc: base + i, scalabilityMode: 'L1T3', maxBitrate: [150_000, 500_000, 1_500_000][i] })),
        rtcp: { cname: 'carol-webcam' },
      },
    });
    const bob = peers[1]!;
    await waitFor(() => bob.consumers.some((c) => c.producerId === producerId), () => 'bob consumes carol\'s webcam');
    const consumer = bob.consumers.find((c) => c.producerId === producerId)!;
    expect(consumer).toMatchObject({ kind: 'video', source: 'webcam', type: 'simulcast', producerUserId: 'carol' });
    await media.setPreferredLayers('ch-flow', 'bob', consumer.id, { spatialLayer: 1, temporalLayer: 2 });
    await expect(media.setPreferredLayers('ch-flow', 'bob', bob.consumers[0]!.id, { spatialLayer: 0 })).rejects.toMatchObject({ code: 'bad_request' });
    await media.closeProducer('ch-flow', 'carol', 'webcam');
  });

  it('WebRTC transports come from the worker\'s WebRtcServer: one port for all', async () => {
    const [a, b] = await Promise.all([
      media.createWebRtcTransport('ch-flow', 'bob', 'send'),
      media.createWebRtcTransport('ch-flow', 'carol', 'recv'),
    ]);
    const [worker] = await media.workerStats();
    for (const t of [a, b]) {
      expect(t.iceCandidates.map((c) => [c.protocol, c.port])).toEqual([
        ['udp', worker!.udpPort],
        ['tcp', worker!.tcpPort],
      ]);
      expect(t.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    }
  });

  it('closing a producer closes its consumers; leaving removes the peer; the room closes with the last one', async () => {
    const [alice, bob] = peers as [PlainTransportParticipant, PlainTransportParticipant];
    await media.closeProducer('ch-flow', 'alice', 'mic');
    await waitFor(
      () => events.some((e) => e.event === 'consumerClosed' && e.args[1] === 'bob' && e.args[2] === bob.consumers[0]!.id),
      () => 'consumerClosed for bob',
    );
    const { length } = bob.consumers;
    await alice.speak();
    await waitFor(() => bob.consumers.length === length + 1, () => `bob has ${bob.consumers.length} consumers`);
    await media.leave('ch-flow', 'alice');
    expect(media.hasPeer('ch-flow', 'alice')).toBe(false);
    expect(events).toContainEqual({ event: 'peerRemoved', args: ['ch-flow', 'alice', 'left'] });
    await waitFor(
      () => events.some((e) => e.event === 'consumerClosed' && e.args[2] === bob.consumers[length]!.id),
      () => 'consumerClosed after alice left',
    );
    await media.leave('ch-flow', 'bob');
    await media.leave('ch-flow', 'carol');
    expect(media.roomStats().map((r) => r.channelId)).not.toContain('ch-flow');
    await expect(media.pauseProducer('ch-flow', 'alice', 'mic')).rejects.toMatchObject({ code: 'not_joined' });
  });
});
