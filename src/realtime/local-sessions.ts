import type { Redis } from 'ioredis';
import type { Session } from './session.ts';
import type { SessionStore } from './session-store.ts';

/** Every this many checkpoints, every live session's expiry is refreshed too. */
const REFRESH_EVERY = 12;

/** The sessions this node holds (replaying or live), by id, and what it writes of them to Redis. */
export class LocalSessions {
  private readonly sessions = new Map<string, Session>();
  private checkpointTick = 0;

  constructor(
    private readonly store: SessionStore,
    private readonly redis: Redis,
    /** Background work the node waits for when closing. */
    private readonly track: (promise: Promise<unknown>) => void,
  ) {}

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  add(session: Session): void {
    this.sessions.set(session.id, session);
  }

  forget(session: Session): void {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
  }

  /** Hands a session back to Redis (resumable by any node for GATEWAY_SESSION_TTL_SECONDS). */
  release(session: Session): void {
    this.forget(session);
    session.state = 'closed';
    this.track(this.store.release(session));
  }

  /** Stores the anchors that heartbeats moved (called every 5 s) and refreshes every live session's expiry (every minute). */
  async checkpoint(): Promise<void> {
    const all = ++this.checkpointTick % REFRESH_EVERY === 0;
    const pipeline = this.redis.pipeline();
    let n = 0;
    for (const session of this.sessions.values()) {
      if (session.state !== 'live' || !(session.checkpointDue || all)) continue;
      session.checkpointDue = false;
      this.store.checkpoint(session, pipeline);
      n++;
    }
    if (n > 0) await pipeline.exec();
  }
}
