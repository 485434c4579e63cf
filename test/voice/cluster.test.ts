// The voice cluster: VoiceMedia instances as separate nodes (two in this process, one in a child process) sharing
// rooms through Redis (registration, home claims, pub/sub) and PipeTransports.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomStats, VoiceMedia } from '../../src/voice/media/index.ts';
import { isolatedEngines } from '../support/engines.ts';
import { PlainTransportParticipant, startMedia, WORKER_BIN } from './support/participants.ts';
import { packetsDuring, waitFor } from './support/rtp.ts';

const HEARTBEAT_MS = 200;

/** A voice node in a child process (support/node-process.ts), driven over IPC. */
class ChildNode {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: { result?: unknown; error?: string }) => void>();
  output = '';

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      if (message.id !== undefined) this.pending.get(message.id)?.(message);
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(env: Record<string, string>): Promise<ChildNode> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/node-process.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const node = new ChildNode(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`voice node exited with ${code}: ${node.output}`)));
    });
    return node;
  }

  async call<T>(cmd: string, fields: Record<string, string> = {}): Promise<T> {
    const id = this.nextId++;
    const reply = await new Promise<{ result?: unknown; error?: string }>((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, cmd, ...fields });
    });
    this.pending.delete(id);
    if (reply.error) throw new Error(reply.error);
    return reply.result as T;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

describe.skipIf(!WORKER_BIN)('voice cluster', () => {
  const engines = isolatedEngines('voice');
  const redises: Redis[] = [];
  const peers: PlainTransportParticipant[] = [];
  let a: VoiceMedia;
  let b: VoiceMedia;
  let child: ChildNode | undefined;

  const node = (nodeId: string) => {
    const redis = new Redis(engines.env.REDIS_URL);
    redises.push(redis);
    return startMedia({ nodeId, redis, redisPrefix: engines.id, heartbeatMs: HEARTBEAT_MS });
  };
  const joinOn = async (media: VoiceMedia, channelId: string, userId: string) => {
    const peer = await PlainTransportParticipant.join(media, channelId, userId, { receive: true });
    peers.push(peer);
    return peer;
  };
  const room = (media: VoiceMedia, channelId: string): RoomStats | undefined => media.roomStats().find((r) => r.channelId === channelId);

  beforeAll(async () => {
    [a, b] = await Promise.all([node('node-a'), node('node-b')]);
  });
  afterAll(async () => {
    child?.kill();
    for (const peer of peers) peer.close();
    await Promise.all([a?.close(), b?.close()]);
    for (const redis of redises) redis.disconnect();
    await engines.drop();
  });

  it('links a room homed on one node to the node of a later participant; media flows both ways', async () => {
    const alice = await joinOn(a, 'ch-1', 'alice'); // equal loads: the first node to open the room is its home
    const bob = await joinOn(b, 'ch-1', 'bob');
    expect(room(a, 'ch-1')).toMatchObject({ homeNodeId: 'node-a', links: ['node-b'], peers: 1 });
    expect(room(b, 'ch-1')).toMatchObject({ homeNodeId: 'node-a', links: ['node-a'], peers: 1 });

    await alice.speak();
    await waitFor(() => bob.sink!.packets >= 10, () => `bob received ${bob.sink!.packets}`);
    expect(bob.consumers).toEqual([expect.objectContaining({ producerId: alice.producerId, producerUserId: 'alice', source: 'mic' })]);

    await bob.speak();
    await waitFor(() => alice.sink!.packets >= 10, () => `alice received ${alice.sink!.packets}`);
    expect(alice.consumers).toEqual([expect.objectContaining({ producerId: bob.producerId, producerUserId: 'bob' })]);
  });

  it('carries mute across nodes', async () => {
    const bob = peers[1]!;
    const paused: string[] = [];
    b.on('producerPaused', (channelId, userId) => paused.push(`${channelId}/${userId}`));
    await a.pauseProducer('ch-1', 'alice', 'mic');
    await waitFor(() => paused.length === 1, () => 'producerPaused on node b');
    expect(paused).toEqual(['ch-1/bob']);
    await new Promise((r) => setTimeout(r, 100));
    expect(await packetsDuring(bob.sink!, 300)).toBe(0);
    await a.resumeProducer('ch-1', 'alice', 'mic');
    expect(await packetsDuring(bob.sink!, 300)).toBeGreaterThan(5);
  });

  it('unlinks when the last participant of a node leaves', async () => {
    const closed: string[] = [];
    a.on('consumerClosed', (_channelId, userId) => closed.push(userId));
    await b.leave('ch-1', 'bob');
    expect(room(b, 'ch-1')).toBeUndefined();
    await waitFor(() => room(a, 'ch-1')?.links.length === 0, () => JSON.stringify(room(a, 'ch-1')));
    await waitFor(() => closed.includes('alice'), () => 'alice\'s consumer of bob closed');
    expect(room(a, 'ch-1')).toMatchObject({ peers: 1, producers: 1 });
  });

  it('homes a new room on the least-loaded node', async () => {
    await new Promise((r) => setTimeout(r, 2 * HEARTBEAT_MS)); // loads published: a carries ch-1, b nothing
    const carol = await joinOn(a, 'ch-2', 'carol');
    expect(room(a, 'ch-2')).toMatchObject({ homeNodeId: 'node-b', links: ['node-b'] });
    expect(room(b, 'ch-2')).toMatchObject({ homeNodeId: 'node-b', peers: 0, links: ['node-a'] });
    const dave = await joinOn(b, 'ch-2', 'dave');
    await carol.speak();
    await waitFor(() => dave.sink!.packets >= 10, () => `dave received ${dave.sink!.packets}`);
  });

  it('re-links a room when a worker death on its home takes the link down', async () => {
    await a.routerRtpCapabilities('ch-4'); // opens the room: homed on the least-loaded node
    const homeId = room(a, 'ch-4')!.homeNodeId;
    const [home, other] = homeId === 'node-a' ? [a, b] : [b, a];
    const gina = await joinOn(home, 'ch-4', 'gina');
    const hal = await joinOn(other, 'ch-4', 'hal');
    expect(room(other, 'ch-4')).toMatchObject({ homeNodeId: homeId, links: [homeId] });
    await gina.speak();
    await waitFor(() => hal.sink!.packets >= 10, () => `hal received ${hal.sink!.packets}`);

    const reconnect: string[][] = [];
    home.on('reconnectRequired', (channelId, userIds) => channelId === 'ch-4' && reconnect.push(userIds));
    const [worker] = await home.workerStats();
    process.kill(worker!.pid, 'SIGKILL');
    await waitFor(() => reconnect.length === 1, () => 'reconnectRequired on the home node');
    expect(reconnect).toEqual([['gina']]);

    // gina redoes the handshake; the other node has linked again meanwhile, and hal hears her.
    const again = await joinOn(home, 'ch-4', 'gina');
    await again.speak();
    const linked = () => room(other, 'ch-4')?.links.length === 1 && room(home, 'ch-4')?.links.length === 1;
    await waitFor(linked, () => JSON.stringify([room(home, 'ch-4'), room(other, 'ch-4')]));
    const before = hal.sink!.packets;
    await waitFor(() => hal.sink!.packets - before >= 10, () => 'hal hears gina after the worker death');
    expect(hal.consumers.filter((c) => c.producerUserId === 'gina')).toHaveLength(2);
  });

  it('links to a node in another process, and recovers when that node dies', async () => {
    child = await ChildNode.start({
      VOICE_TEST_NODE_ID: 'node-c',
      REDIS_URL: engines.env.REDIS_URL,
      REDIS_PREFIX: engines.id,
      VOICE_TEST_HEARTBEAT_MS: String(HEARTBEAT_MS),
    });
    const producerId = await child.call<string>('speak', { channelId: 'ch-3', userId: 'zed' });
    expect(await child.call<RoomStats[]>('stats')).toEqual([expect.objectContaining({ channelId: 'ch-3', homeNodeId: 'node-c' })]);
    const erin = await joinOn(a, 'ch-3', 'erin');
    expect(room(a, 'ch-3')).toMatchObject({ homeNodeId: 'node-c', links: ['node-c'] });
    await waitFor(() => erin.sink!.packets >= 10, () => `erin received ${erin.sink!.packets} from the other process`);
    expect(erin.consumers).toEqual([expect.objectContaining({ producerId, producerUserId: 'zed' })]);

    // And back: erin speaks, a participant on node c hears her.
    await child.call('receive', { channelId: 'ch-3', userId: 'yan' });
    await erin.speak();
    const deadline = Date.now() + 5000;
    while ((await child.call<number>('packets', { userId: 'yan' })) < 10) {
      if (Date.now() > deadline) throw new Error('yan (node c) did not receive erin');
      await new Promise((r) => setTimeout(r, 50));
    }

    const closed: string[] = [];
    a.on('consumerClosed', (channelId, userId) => closed.push(`${channelId}/${userId}`));
    child.kill();
    // node c's key expires (3 heartbeats): node a unlinks and claims the room again, for the least-loaded live node.
    const rehomed = () => {
      const stats = room(a, 'ch-3');
      return stats !== undefined && stats.homeNodeId !== 'node-c' && !stats.links.includes('node-c');
    };
    await waitFor(rehomed, () => JSON.stringify(room(a, 'ch-3')), 5000);
    expect(closed).toContain('ch-3/erin');
    expect(['node-a', 'node-b']).toContain(room(a, 'ch-3')!.homeNodeId);
    const frank = await joinOn(a, 'ch-3', 'frank');
    await waitFor(() => frank.sink!.packets >= 10, () => 'frank hears erin after the failover');
  });
});
