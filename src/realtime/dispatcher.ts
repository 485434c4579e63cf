import type { RecordedEvent } from '../events/envelope.ts';
import { DispatchFrame } from './protocol.ts';
import type { NotificationsIssuedData } from '../commands/notifications/events.ts';
import { frameOf, kindOf, reachesOthers, routeNotifications, routeRevoltEvent, routeUserEvent, subjectOf, type Dispatch } from './routing.ts';
import type { Session } from './session.ts';
import { revoltOfEvent, type RevoltWorld } from './world.ts';

/** uWS topics mirror the dispatcher's indexes: per channel, per revolt, per user. */
export const topics = {
  channel: (id: string) => `ch:${id}`,
  revolt: (id: string) => `rv:${id}`,
  user: (id: string) => `u:${id}`,
};

export interface DispatcherHooks {
  /** A live session became a member of a revolt (remembered in Redis for a later replay). */
  onNewRevolt(session: Session, revoltId: string): void;
  /** A login session (token) was revoked; `sessions` are the live sessions made with it. */
  onRevoked(authSessionId: string, sessions: Session[]): void;
}

/** Events whose frames may be held back while more batches wait (bounds the added latency and memory). */
const MAX_UNFLUSHED_EVENTS = 1000;

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

/**
 * Live delivery on one gateway node. Holds the revolt states of the revolts its sessions belong to (advanced by
 * every event, in order) and indexes of live sessions per user, revolt and channel; each index entry is also a
 * uWS topic subscription of the session's socket. A message event goes to the channel's index, which holds exactly
 * the sessions whose users may view it now; any other revolt event goes through the routing rules for each
 * session of the revolt (and of a joining user), which also re-subscribes the sessions whose memberships or
 * visible channels it changed, before the next event is looked at. A kicked member is unsubscribed by the very
 * event that removes them.
 *
 * Frames are queued per session during a batch and written once per socket at its end (one corked write).
 */
export class Dispatcher {
  private readonly byUser = new Map<string, Set<Session>>();
  private readonly byRevolt = new Map<string, Set<Session>>();
  private readonly byChannel = new Map<string, Set<Session>>();
  private readonly byAuth = new Map<string, Set<Session>>();
  private readonly pending = new Set<Session>();
  private unflushed = 0;
  /** Dispatches made, for metrics and the benchmark. */
  dispatched = 0;

  constructor(
    readonly world: RevoltWorld,
    private readonly hooks: DispatcherHooks,
  ) {}

  get sessionCount(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  /**
   * Routes a batch of events (in position order) and writes the resulting frames. With `more` (other batches are
   * already waiting) the writes are held for them, up to a bound: each socket then gets one corked write for
   * several batches, which under load saves most of the write syscalls and costs no latency when idle.
   */
  async apply(events: readonly RecordedEvent[], more = false): Promise<void> {
    for (const event of events) await this.applyEvent(event);
    this.unflushed += events.length;
    if (!more || this.unflushed >= MAX_UNFLUSHED_EVENTS) this.flush();
  }

  flush(): void {
    this.unflushed = 0;
    for (const session of this.pending) session.flush();
    this.pending.clear();
  }

  private emit(session: Session, position: number, dispatches: Dispatch[], shared?: { d: unknown; frame: DispatchFrame }): void {
    if (dispatches.length === 0) return;
    dispatches.forEach((dispatch, index) => session.push(position, index, frameOf(dispatch, shared)));
    this.dispatched += dispatches.length;
    this.pending.add(session);
  }

  private async applyEvent(event: RecordedEvent): Promise<void> {
    if (event.type === 'SessionRevoked') {
      const { sessionId } = event.data as { sessionId: string };
      this.hooks.onRevoked(sessionId, [...(this.byAuth.get(sessionId) ?? [])]);
      return;
    }
    const kind = kindOf(event.type);
    if (kind === 'message') {
      const { channelId } = event.data as { channelId: string };
      const sessions = this.byChannel.get(channelId);
      if (!sessions) return;
      const frame = new DispatchFrame(event.type, JSON.stringify(event.data));
      for (const session of sessions) {
        session.push(event.position, 0, frame);
        this.pending.add(session);
      }
      this.dispatched += sessions.size;
      return;
    }
    if (kind === 'user') {
      const { userId } = event.data as { userId: string };
      const candidates = new Set(this.byUser.get(userId));
      // Status changes, and presence changes others cannot tell apart, reach only the user's own sessions.
      if (reachesOthers(event)) {
        for (const [revoltId, sessions] of this.byRevolt) {
          if (!this.world.get(revoltId)?.members.has(userId)) continue;
          for (const session of sessions) candidates.add(session);
        }
      }
      if (candidates.size === 0) return;
      const shared = { d: event.data, frame: new DispatchFrame(event.type, JSON.stringify(event.data)) };
      for (const session of candidates) this.emit(session, event.position, routeUserEvent(session, event, (id) => this.world.get(id)), shared);
      return;
    }
    if (kind === 'notifications') {
      // Each recipient with a session here gets their own notification (O(recipients) lookups, whatever the sessions).
      for (const userId of (event.data as NotificationsIssuedData).recipients) {
        const sessions = this.byUser.get(userId);
        if (!sessions) continue;
        const dispatches = routeNotifications(userId, event, true);
        for (const session of sessions) this.emit(session, event.position, dispatches);
      }
      return;
    }
    if (kind !== 'revolt') return;
    const revoltId = revoltOfEvent(event);
    if (!revoltId) return;
    const subject = subjectOf(event);
    const joining = subject ? this.byUser.get(subject) : undefined;
    if (!this.world.has(revoltId)) {
      if (!joining) return;
      await this.world.load(revoltId, event.position - 1);
    }
    const after = await this.world.advance(event, revoltId);
    if (!after) return;
    const candidates = new Set(this.byRevolt.get(revoltId));
    for (const session of joining ?? []) candidates.add(session);
    const shared = { d: event.data, frame: new DispatchFrame(event.type, JSON.stringify(event.data)) };
    for (const session of candidates) {
      const before = session.revolts.get(revoltId);
      const dispatches = routeRevoltEvent(session, event, revoltId, after);
      this.reindex(session, revoltId, before, session.revolts.get(revoltId));
      if (!before && session.revolts.has(revoltId)) this.hooks.onNewRevolt(session, revoltId);
      this.emit(session, event.position, dispatches, shared);
    }
    if (!this.byRevolt.has(revoltId)) this.world.drop(revoltId);
  }

  /** Indexes a session that is ready for live delivery (after READY, or at the end of a RESUME's replay). */
  attach(session: Session): void {
    session.state = 'live';
    addTo(this.byUser, session.userId, session);
    addTo(this.byAuth, session.authSessionId, session);
    session.connection?.subscribe(topics.user(session.userId));
    for (const [revoltId, channels] of session.revolts) this.reindex(session, revoltId, undefined, channels);
  }

  /** Removes a session from every index; revolts no live session belongs to any more are forgotten. */
  detach(session: Session): void {
    if (session.state !== 'live') return;
    session.state = 'closed';
    removeFrom(this.byUser, session.userId, session);
    removeFrom(this.byAuth, session.authSessionId, session);
    for (const [revoltId, channels] of session.revolts) {
      for (const channelId of channels) removeFrom(this.byChannel, channelId, session);
      removeFrom(this.byRevolt, revoltId, session);
      if (!this.byRevolt.has(revoltId)) this.world.drop(revoltId);
    }
    this.pending.delete(session);
  }

  /** Forgets revolts loaded for sessions that turned out not to belong to them. */
  dropUnused(revoltIds: Iterable<string>): void {
    for (const id of revoltIds) if (!this.byRevolt.has(id)) this.world.drop(id);
  }

  private reindex(session: Session, revoltId: string, before: ReadonlySet<string> | undefined, after: ReadonlySet<string> | undefined): void {
    if (before === after && before !== undefined && session.state === 'live' && this.byRevolt.get(revoltId)?.has(session)) return;
    const connection = session.connection;
    for (const channelId of before ?? []) {
      if (after?.has(channelId)) continue;
      removeFrom(this.byChannel, channelId, session);
      connection?.unsubscribe(topics.channel(channelId));
    }
    for (const channelId of after ?? []) {
      if (before?.has(channelId) && this.byChannel.get(channelId)?.has(session)) continue;
      addTo(this.byChannel, channelId, session);
      connection?.subscribe(topics.channel(channelId));
    }
    if (after) {
      addTo(this.byRevolt, revoltId, session);
      connection?.subscribe(topics.revolt(revoltId));
    } else {
      removeFrom(this.byRevolt, revoltId, session);
      connection?.unsubscribe(topics.revolt(revoltId));
    }
  }
}
