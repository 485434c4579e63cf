// Rooms across workers: a room that outgrows one worker is piped (router.pipeToRouter) to a router on another, and a
// worker that dies (SIGKILL) is replaced while its rooms' participants are told to reconnect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceMedia } from '../../src/voice/media/index.ts';
import { PlainTransportParticipant, startMedia, WORKER_BIN } from './support/participants.ts';
import { waitFor } from './support/rtp.ts';

type Recorded = { event: string; args: unknown[] };

function record(media: VoiceMedia): Recorded[] {
  const events: Recorded[] = [];
  for (const event of ['reconnectRequired', 'peerRemoved', 'consumerClosed'] as const) {
    media.on(event, (...args: unknown[]) => events.push({ event, args }));
  }
  return events;
}

const receiving = (peer: PlainTransportParticipant, packets = 10) =>
  waitFor(() => peer.sink!.packets >= packets, () => `${peer.userId} received ${peer.sink!.packets} packets`);

async function killWorker(media: VoiceMedia, index: number): Promise<number> {
  const before = (await media.workerStats()).find((w) => w.index === index)!;
  process.kill(before.pid, 'SIGKILL');
  return before.pid;
}

async function replaced(media: VoiceMedia, index: number, oldPid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const worker = (await media.workerStats()).find((w) => w.index === index);
    if (worker && worker.pid !== oldPid) return;
    if (Date.now() > deadline) throw new Error(`worker ${index} was not replaced`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!WORKER_BIN)('voice media across workers', () => {
  let media: VoiceMedia;
  let events: Recorded[];
  const peers: PlainTransportParticipant[] = [];
  const join = async (userId: string) => {
    const peer = await PlainTransportParticipant.join(media, 'ch-big', userId, { receive: true });
    peers.push(peer);
    return peer;
  };
  const routers = () => media.roomStats().find((r) => r.channelId === 'ch-big')?.routers ?? [];

  beforeAll(async () => {
    media = await startMedia({ workers: 2, maxConsumersPerRouter: 1 });
    events = record(media);
  });
  afterAll(async () => {
    for (const peer of peers) peer.close();
    await media?.close();
  });

  it('places new participants on a router on another worker once the first is full, and pipes media both ways', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await bob.speak();
    await receiving(alice);
    expect(routers()).toHaveLength(1);

    const carol = await join('carol'); // the first router has 1 consumer: carol goes to another worker
    expect(routers()).toHaveLength(2);
    expect(new Set(routers().map((r) => r.worker))).toEqual(new Set([0, 1]));
    expect(routers().map((r) => r.peers).sort()).toEqual([1, 2]);
    await receiving(carol); // bob's audio, piped from the first router to carol's

    await carol.speak();
    await waitFor(() => alice.consumers.length === 2 && bob.consumers.length === 1, () => 'consumers of carol');
    const [aliceBefore, bobBefore] = [alice.sink!.packets, bob.sink!.packets];
    await waitFor(
      () => alice.sink!.packets - aliceBefore >= 10 && bob.sink!.packets - bobBefore >= 10,
      () => 'carol\'s audio piped back to the first router',
    );
    expect(bob.consumers[0]).toMatchObject({ producerUserId: 'carol', source: 'mic' });
  });

  it('a worker that dies is replaced; only its participants must reconnect, and the room works again', async () => {
    const [alice, bob] = peers as [PlainTransportParticipant, PlainTransportParticipant, PlainTransportParticipant];
    const carolWorker = routers().find((r) => r.peers === 1)!.worker;
    const oldPid = await killWorker(media, carolWorker);

    await waitFor(() => events.some((e) => e.event === 'reconnectRequired'), () => 'reconnectRequired');
    expect(events.filter((e) => e.event === 'reconnectRequired')).toEqual([{ event: 'reconnectRequired', args: ['ch-big', ['carol']] }]);
    expect(events).toContainEqual({ event: 'peerRemoved', args: ['ch-big', 'carol', 'workerDied'] });
    expect(media.hasPeer('ch-big', 'carol')).toBe(false);
    expect(media.hasPeer('ch-big', 'alice') && media.hasPeer('ch-big', 'bob')).toBe(true);
    // alice's and bob's consumers of carol went with her producer.
    await waitFor(() => events.filter((e) => e.event === 'consumerClosed').length === 2, () => JSON.stringify(events));
    await replaced(media, carolWorker, oldPid);

    // bob -> alice never stopped.
    const before = alice.sink!.packets;
    await waitFor(() => alice.sink!.packets - before >= 10, () => 'bob -> alice after the death');

    // carol reconnects: a fresh handshake, on the replacement worker, and hears bob again; alice hears her.
    const carol = await join('carol');
    await carol.speak();
    await receiving(carol);
    const aliceNow = alice.sink!.packets;
    await waitFor(() => alice.sink!.packets - aliceNow >= 20, () => 'bob and carol -> alice');
    expect(bob.consumers.filter((c) => c.producerUserId === 'carol')).toHaveLength(2);
    expect(routers()).toHaveLength(2);
  });
});

describe.skipIf(!WORKER_BIN)('voice media on a single worker that dies', () => {
  let media: VoiceMedia;
  const peers: PlainTransportParticipant[] = [];

  beforeAll(async () => {
    media = await startMedia({ workers: 1 });
  });
  afterAll(async () => {
    for (const peer of peers) peer.close();
    await media?.close();
  });

  it('recreates the room on the replacement worker and tells everyone to reconnect', async () => {
    const events = record(media);
    for (const userId of ['dan', 'eve']) peers.push(await PlainTransportParticipant.join(media, 'ch-solo', userId, { receive: true }));
    await peers[0]!.speak();
    await receiving(peers[1]!);
    const oldPid = await killWorker(media, 0);
    await waitFor(() => events.some((e) => e.event === 'reconnectRequired'), () => 'reconnectRequired');
    const [reconnect] = events.filter((e) => e.event === 'reconnectRequired');
    expect(reconnect!.args[0]).toBe('ch-solo');
    expect((reconnect!.args[1] as string[]).sort()).toEqual(['dan', 'eve']);
    await replaced(media, 0, oldPid);
    expect(media.roomStats()).toEqual([expect.objectContaining({ channelId: 'ch-solo', peers: 0, producers: 0 })]);

    const dan = await PlainTransportParticipant.join(media, 'ch-solo', 'dan', { receive: true });
    const eve = await PlainTransportParticipant.join(media, 'ch-solo', 'eve', { receive: true });
    peers.push(dan, eve);
    await dan.speak();
    await receiving(eve);
  });
});
