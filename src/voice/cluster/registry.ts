// The voice nodes of the cluster in Redis, and which node each room lives on.
//
//   <prefix>:voice:node:<nodeId>    {nodeId, address, load, at}, expires after 3 heartbeats: a node is alive while it is there
//   <prefix>:voice:nodes            set of node ids ever registered (dead ones are pruned when seen expired)
//   <prefix>:voice:room:<channelId> the room's home node; claimed atomically, refreshed by the home's heartbeat
//
// The claim script reads the holder's node key: it is meant for a single Redis (or all keys on one slot).
import type { Redis } from 'ioredis';
import { releaseIfOwner } from '../../redis/release-if-owner.ts';

export interface NodeInfo {
  nodeId: string;
  address: string;
  load: number;
  at: number;
}

/** KEYS[1] the room; ARGV: candidate, node key prefix, ttl ms. Keeps a live holder, else gives the room to the candidate. */
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur and redis.call('EXISTS', ARGV[2] .. cur) == 1 then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return ARGV[1]`;


export class NodeRegistry {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly self: { nodeId: string; address: string },
    private readonly ttlMs: number,
  ) {
    this.base = `${prefix}:voice`;
  }

  private nodeKey(nodeId: string): string {
    return `${this.base}:node:${nodeId}`;
  }

  private roomKey(channelId: string): string {
    return `${this.base}:room:${channelId}`;
  }

  /** Registers (or refreshes) this node with its current load, and keeps the claims of the rooms it is home of. */
  async heartbeat(load: number, homedRooms: string[]): Promise<void> {
    const info: NodeInfo = { ...this.self, load, at: Date.now() };
    const multi = this.redis.multi().set(this.nodeKey(this.self.nodeId), JSON.stringify(info), 'PX', this.ttlMs).sadd(`${this.base}:nodes`, this.self.nodeId);
    for (const channelId of homedRooms) multi.pexpire(this.roomKey(channelId), this.ttlMs);
    await multi.exec();
  }

  async liveNodes(): Promise<NodeInfo[]> {
    const ids = await this.redis.smembers(`${this.base}:nodes`);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.nodeKey(id)));
    const dead = ids.filter((_, i) => values[i] === null);
    if (dead.length > 0) await this.redis.srem(`${this.base}:nodes`, ...dead);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as NodeInfo);
  }

  /** Which of these nodes are alive (one round trip). */
  async alive(nodeIds: string[]): Promise<Set<string>> {
    if (nodeIds.length === 0) return new Set();
    const values = await this.redis.mget(nodeIds.map((id) => this.nodeKey(id)));
    return new Set(nodeIds.filter((_, i) => values[i] !== null));
  }

  /**
   * The room's home: its live holder, else the least-loaded live node (this one on a tie: no link needed), claimed
   * atomically so that two nodes racing for a new room agree.
   */
  async resolveHome(channelId: string): Promise<string> {
    const nodes = await this.liveNodes();
    const candidate = nodes.reduce<NodeInfo | undefined>((best, n) => {
      if (!best || n.load < best.load) return n;
      return n.load === best.load && n.nodeId === this.self.nodeId ? n : best;
    }, undefined);
    return this.claim(channelId, candidate?.nodeId ?? this.self.nodeId);
  }

  /** Claims the room for `nodeId` unless a live node holds it; returns the holder. */
  async claim(channelId: string, nodeId: string): Promise<string> {
    const holder = await this.redis.eval(CLAIM, 1, this.roomKey(channelId), nodeId, this.nodeKey(''), String(this.ttlMs));
    return String(holder);
  }

  async release(channelId: string): Promise<void> {
    await releaseIfOwner(this.redis, this.roomKey(channelId), this.self.nodeId);
  }

  async unregister(): Promise<void> {
    await this.redis.multi().del(this.nodeKey(this.self.nodeId)).srem(`${this.base}:nodes`, this.self.nodeId).exec();
  }
}
