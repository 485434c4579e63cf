import type { ChainableCommander, Redis } from 'ioredis';
import type { ResumePoint, Session } from './session.ts';

/** A session as stored in Redis, claimed by the node that will resume it. */
export interface StoredSession {
  id: string;
  epoch: number;
  userId: string;
  authSessionId: string;
  anchorSeq: number;
  anchor: ResumePoint;
  entries: number[];
  revolts: string[];
}

export type ClaimResult = { status: 'ok'; session: StoredSession } | { status: 'busy'; node: string } | { status: 'unknown' };

// KEYS: hash, ring, revolts. ARGV: node, force, liveTtl.
const CLAIM = `
if redis.call('exists', KEYS[1]) == 0 then return {'unknown'} end
local live = redis.call('hget', KEYS[1], 'live')
if live == '1' and ARGV[2] ~= '1' then return {'busy', redis.call('hget', KEYS[1], 'node') or ''} end
local epoch = redis.call('hincrby', KEYS[1], 'epoch', 1)
redis.call('hset', KEYS[1], 'live', '1', 'node', ARGV[1])
for i = 1, 3 do redis.call('expire', KEYS[i], tonumber(ARGV[3])) end
local f = redis.call('hmget', KEYS[1], 'user', 'auth', 'aSeq', 'aPos', 'aSkip')
local ring = redis.call('lrange', KEYS[2], 0, -1)
local out = {'ok', tostring(epoch), f[1], f[2], f[3], f[4], f[5], tostring(#ring)}
for _, v in ipairs(ring) do table.insert(out, v) end
for _, v in ipairs(redis.call('smembers', KEYS[3])) do table.insert(out, v) end
return out`;

// KEYS: hash, ring, revolts. ARGV: epoch, live, ttl, aSeq, aPos, aSkip, replaceRing ('1'/'0'), entries...
const STORE = `
if redis.call('hget', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'live', ARGV[2], 'aSeq', ARGV[4], 'aPos', ARGV[5], 'aSkip', ARGV[6])
if ARGV[7] == '1' then
  redis.call('del', KEYS[2])
  if #ARGV > 7 then redis.call('rpush', KEYS[2], unpack(ARGV, 8)) end
end
for i = 1, 3 do redis.call('expire', KEYS[i], tonumber(ARGV[3])) end
return 1`;

/**
 * Gateway sessions in Redis, so that any node can resume a session another node served: the user, the auth
 * session, the resume anchor and recent dispatch positions (see ResumeRing), and the revolts the session ever
 * belonged to (where a replay must look). The node serving a session is its owner (`live`, `node`, `epoch`);
 * every write is conditioned on the owner's epoch, so a node that lost a session cannot overwrite it.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    /** How long a released (disconnected) session may still be resumed. */
    private readonly ttlSeconds: number,
  ) {}

  /** While a session is live its keys outlive the refresh interval comfortably; a crashed owner's expire. */
  get liveTtlSeconds(): number {
    return this.ttlSeconds + 180;
  }

  private keys(id: string): [string, string, string] {
    const base = `${this.prefix}:gw:s:${id}`;
    return [base, `${base}:ring`, `${base}:revolts`];
  }

  /** Stores a new session (owned by this node, epoch 1) as part of `pipeline` (the caller runs it). */
  create(session: Session, pipeline: ChainableCommander): void {
    const [hash, ring, revolts] = this.keys(session.id);
    const { anchorSeq, anchor } = session.ring;
    pipeline.del(hash, ring, revolts).hset(hash, {
      user: session.userId,
      auth: session.authSessionId,
      node: this.nodeId,
      epoch: 1,
      live: 1,
      aSeq: anchorSeq,
      aPos: anchor.position,
      aSkip: anchor.skip,
    });
    if (session.revolts.size > 0) pipeline.sadd(revolts, ...session.revolts.keys());
    for (const key of [hash, revolts]) pipeline.expire(key, this.liveTtlSeconds);
    session.epoch = 1;
  }

  /** Adds revolts the session belongs to (never removed: a replay must see the revolts it left, too). */
  async addRevolts(session: Session, revoltIds: readonly string[]): Promise<void> {
    if (revoltIds.length === 0) return;
    const [, , revolts] = this.keys(session.id);
    await this.redis.multi().sadd(revolts, ...revoltIds).expire(revolts, this.liveTtlSeconds).exec();
  }

  /** Stores the anchor (the client's last acknowledged sequence) while the session is live; cheap, no entries. */
  checkpoint(session: Session, pipeline: ChainableCommander) {
    const [hash, ring, revolts] = this.keys(session.id);
    const { anchorSeq, anchor } = session.ring;
    return pipeline.eval(STORE, 3, hash, ring, revolts, session.epoch, 1, this.liveTtlSeconds, anchorSeq, anchor.position, anchor.skip, '1');
  }

  /** The session lost its connection: stores its anchor and recent entries and lets any node claim it. */
  async release(session: Session): Promise<void> {
    const [hash, ring, revolts] = this.keys(session.id);
    const { anchorSeq, anchor } = session.ring;
    const entries = session.ring.entries().map(String);
    await this.redis.eval(STORE, 3, hash, ring, revolts, session.epoch, 0, this.ttlSeconds, anchorSeq, anchor.position, anchor.skip, '1', ...entries);
  }

  /** Whose a session is, read without claiming it (a RESUME is authorised before it may disturb the holder). */
  async owner(id: string): Promise<{ userId: string; authSessionId: string } | null> {
    const [userId, authSessionId] = await this.redis.hmget(this.keys(id)[0], 'user', 'auth');
    return userId && authSessionId ? { userId, authSessionId } : null;
  }

  /** Claims a session for this node; `force` takes it from an owner that did not let go (presumed dead). */
  async claim(id: string, force = false): Promise<ClaimResult> {
    const [hash, ring, revolts] = this.keys(id);
    const reply = (await this.redis.eval(CLAIM, 3, hash, ring, revolts, this.nodeId, force ? '1' : '0', this.liveTtlSeconds)) as string[];
    if (reply[0] === 'unknown') return { status: 'unknown' };
    if (reply[0] === 'busy') return { status: 'busy', node: reply[1] ?? '' };
    const [, epoch, userId, authSessionId, aSeq, aPos, aSkip, ringLength, ...rest] = reply as string[];
    const n = Number(ringLength);
    return {
      status: 'ok',
      session: {
        id,
        epoch: Number(epoch),
        userId: userId ?? '',
        authSessionId: authSessionId ?? '',
        anchorSeq: Number(aSeq),
        anchor: { position: Number(aPos), skip: Number(aSkip) },
        entries: rest.slice(0, n).map(Number),
        revolts: rest.slice(n),
      },
    };
  }

  /** Forgets a session for good (INVALID_SESSION). */
  async remove(id: string): Promise<void> {
    await this.redis.del(...this.keys(id));
  }
}
