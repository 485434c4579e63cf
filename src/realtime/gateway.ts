import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TypingStarted } from '../commands/messages/typing.ts';
import { ephemeralChannel } from '../commands/messages/typing.ts';
import { userDecider, userStream } from '../commands/users/decide.ts';
import type { Services } from '../http/services.ts';
import { TokenAuthenticator } from './auth.ts';
import { Dispatcher, topics } from './dispatcher.ts';
import { EventFeed, SerialQueue } from './feed.ts';
import { PresenceTracker } from './presence.ts';
import { clientFrameSchema, CloseCode, frame, Op, type ClientFrame, type DispatchFrame } from './protocol.ts';
import { Publisher } from './publisher.ts';
import { Replay } from './replay.ts';
import { resolveResume, Session, type Connection } from './session.ts';
import { SessionStore, type ClaimResult } from './session-store.ts';
import { addJoinsSince, readUserSnapshot, type UserSnapshot } from './user-snapshot.ts';
import { loadUws, type TemplatedApp, type us_listen_socket, type Uws, type WebSocket } from './uws.ts';
import { addMemberships, revoltView } from './views.ts';
import type { VoiceMedia } from '../voice/media/index.ts';
import { VoiceSignalling, type VoiceControlMessage } from '../voice/signalling/signalling.ts';

const CLIENT_OPS: ReadonlySet<unknown> = new Set([Op.IDENTIFY, Op.RESUME, Op.HEARTBEAT, Op.PRESENCE_UPDATE, Op.VOICE_REQUEST]);
/** Frames a client may send per window before it is closed with RATE_LIMITED. */
const FRAME_LIMIT = 60;
const FRAME_WINDOW_MS = 10_000;
/** uSockets' LIBUS_LISTEN_EXCLUSIVE_PORT. */
const LISTEN_EXCLUSIVE_PORT = 1;
/** How long a RESUME waits for the node holding the session to let go before taking it anyway. */
const TAKEOVER_WAIT_MS = 3000;

export const controlChannel = (prefix: string) => `${prefix}:gw:control`;

type ControlMessage =
  | { type: 'takeover'; sessionId: string }
  | { type: 'bench-publish'; topic: string; count: number; perTick?: number; size?: number; intervalMs?: number }
  | VoiceControlMessage;

interface SocketData {
  connection: SocketConnection;
}

/** One WebSocket: its protocol phase, heartbeats, rate budget and backpressure. */
class SocketConnection implements Connection {
  readonly id = randomBytes(8).toString('hex');
  ws: WebSocket<SocketData> | undefined;
  open = false;
  phase: 'hello' | 'authenticating' | 'ready' = 'hello';
  session: Session | undefined;
  helloAt = Date.now();
  lastBeat = Date.now();
  presenceUser: string | undefined;
  private windowStart = Date.now();
  private frames = 0;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly maxBuffered: number) {}

  opened(ws: WebSocket<SocketData>): void {
    this.ws = ws;
    this.open = true;
    this.helloAt = this.lastBeat = Date.now();
  }

  closed(): void {
    this.open = false;
    this.ws = undefined;
    this.drainedNow();
  }

  /** Counts a frame from the client; false when over budget. */
  budget(now: number): boolean {
    if (now - this.windowStart > FRAME_WINDOW_MS) {
      this.windowStart = now;
      this.frames = 0;
    }
    return ++this.frames <= FRAME_LIMIT;
  }

  send(message: string): void {
    const ws = this.ws;
    if (!this.open || !ws) return;
    let dropped = false;
    ws.cork(() => {
      dropped = ws.send(message) === 2;
    });
    if (dropped || ws.getBufferedAmount() > this.maxBuffered) this.close(CloseCode.SLOW_CONSUMER, 'send buffer full: resume');
  }

  sendDispatches(frames: readonly DispatchFrame[], seqs: readonly number[]): boolean {
    const ws = this.ws;
    if (!this.open || !ws) return false;
    const maxBuffered = this.maxBuffered;
    let over = false;
    ws.cork(() => {
      for (let i = 0; i < frames.length; i++) {
        // Once past the limit the socket is closed: the rest of the batch is lost anyway (the client resumes it),
        // and writing it would push the buffer past uWS's maxBackpressure, where uWS drops the close frame too (the
        // client would see 1006 after a timeout instead of 4010). A batch grows with load. Status 0 is backpressure.
        const status = ws.send(frames[i]!.with(seqs[i]!));
        if (status === 2 || (status === 0 && ws.getBufferedAmount() > maxBuffered)) {
          over = true;
          break;
        }
      }
    });
    if (over || ws.getBufferedAmount() > maxBuffered) {
      this.close(CloseCode.SLOW_CONSUMER, 'send buffer full: resume');
      return false;
    }
    return true;
  }

  close(code: number, reason: string): void {
    if (!this.open || !this.ws) return;
    this.ws.end(code, reason);
  }

  bufferedAmount(): number {
    return this.open && this.ws ? this.ws.getBufferedAmount() : 0;
  }

  drained(): Promise<void> {
    if (this.bufferedAmount() === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  drainedNow(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  subscribe(topic: string): void {
    if (this.open) this.ws?.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (this.open) this.ws?.unsubscribe(topic);
  }
}

export interface GatewayOptions {
  host?: string;
  /** 0 picks a free port (see `port` once started). */
  port?: number;
  /** Take part in the publisher election (default: GATEWAY_PUBLISHER). */
  publisher?: boolean;
  /** This node's voice media (RUN_VOICE): without it, voice requests that need media answer `voice_unavailable`. */
  voice?: VoiceMedia | undefined;
}

/**
 * A realtime gateway node: a uWebSockets.js server at /gateway speaking the protocol of protocol.ts. Every node
 * follows the event stream published over Redis (EventFeed), dispatches to its own sockets (Dispatcher), keeps its
 * sessions resumable from any node (SessionStore), and records connection-driven presence (PresenceTracker). One
 * node at a time also runs the Publisher that feeds the stream.
 */
export class Gateway {
  readonly nodeId = randomBytes(6).toString('hex');
  port = 0;
  private readonly uws: Uws;
  private readonly app: TemplatedApp;
  private listenSocket: us_listen_socket | undefined;
  private readonly connections = new Set<SocketConnection>();
  /** Local sessions by id, replaying or live. */
  private readonly sessions = new Map<string, Session>();
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly store: SessionStore;
  private readonly queue = new SerialQueue();
  private readonly feed: EventFeed;
  private readonly dispatcher: Dispatcher;
  private readonly auth: TokenAuthenticator;
  private readonly presence: PresenceTracker;
  private readonly publisher: Publisher | undefined;
  private readonly voice: VoiceSignalling;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly attaching: Array<{ connection: SocketConnection; session: Session; snapshot: UserSnapshot; done: () => void }> = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;
  private checkpointTick = 0;
  /** How often the connections are swept, and when they last were (see sweepConnections). */
  private sweepEvery = 1000;
  private lastSweep = Date.now();
  private readonly log: Logger;

  private constructor(
    private readonly services: Services,
    private readonly options: GatewayOptions,
  ) {
    const { config } = services;
    this.uws = loadUws();
    this.log = services.logger.child({ component: 'gateway', node: this.nodeId });
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    // Connected (and ready) before it subscribes: ioredis' ready check must not run on a connection in subscriber mode.
    this.subscriber = new Redis(config.REDIS_URL, { lazyConnect: true });
    for (const connection of [this.redis, this.subscriber]) connection.on('error', (error) => this.log.warn({ err: error }, 'gateway redis error'));
    this.auth = new TokenAuthenticator(services.commands);
    this.store = new SessionStore(this.redis, config.REDIS_PREFIX, this.nodeId, config.GATEWAY_SESSION_TTL_SECONDS);
    this.dispatcher = new Dispatcher(services.store, {
      onNewRevolt: (session, revoltId) => this.track(this.store.addRevolts(session, [revoltId])),
      onRevoked: (authSessionId, sessions) => {
        this.auth.revoke(authSessionId);
        for (const session of sessions) session.connection?.close(CloseCode.AUTHENTICATION_FAILED, 'token revoked');
      },
    });
    this.feed = new EventFeed({
      store: services.store,
      subscriber: this.subscriber,
      redis: this.redis,
      prefix: config.REDIS_PREFIX,
      logger: this.log,
      queue: this.queue,
      apply: async (events, more) => {
        await this.dispatcher.apply(events, more);
        this.voice.onEvents(events);
      },
      flush: () => this.dispatcher.flush(),
    });
    this.presence = new PresenceTracker({
      redis: this.redis,
      commands: services.commands,
      prefix: config.REDIS_PREFIX,
      nodeId: this.nodeId,
      logger: this.log,
      graceMs: config.GATEWAY_PRESENCE_GRACE_MS,
    });
    if (options.publisher ?? config.GATEWAY_PUBLISHER) {
      this.publisher = new Publisher({
        store: services.store,
        redis: this.redis,
        prefix: config.REDIS_PREFIX,
        nodeId: this.nodeId,
        logger: this.log,
        onLeadership: (leading) => this.onLeadership(leading),
      });
    }
    this.voice = new VoiceSignalling({
      services,
      media: options.voice,
      nodeId: this.nodeId,
      redis: this.redis,
      publish: (message) => this.track(this.redis.publish(controlChannel(config.REDIS_PREFIX), JSON.stringify(message))),
      track: (promise) => this.track(promise),
      logger: this.log,
    });
    this.app = this.uws.App();
  }

  /** Starts a node: follows the stream, joins the publisher election, listens. */
  static async start(services: Services, options: GatewayOptions = {}): Promise<Gateway> {
    const gateway = new Gateway(services, options);
    try {
      await gateway.begin();
    } catch (error) {
      await gateway.close();
      throw error;
    }
    return gateway;
  }

  /** Position of the last event this node has dispatched. */
  get position(): number {
    return this.feed.position;
  }

  get isPublisher(): boolean {
    return this.publisher?.isLeader ?? false;
  }

  get stats() {
    return {
      node: this.nodeId,
      sockets: this.connections.size,
      sessions: this.dispatcher.sessionCount,
      position: this.feed.position,
      publisher: this.isPublisher,
      dispatched: this.dispatcher.dispatched,
    };
  }

  private async begin(): Promise<void> {
    const { config } = this.services;
    await this.subscriber.connect();
    await this.feed.start();
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onPubSub(channel.toString(), message));
    await this.subscriber.subscribe(ephemeralChannel(config.REDIS_PREFIX), controlChannel(config.REDIS_PREFIX));
    this.presence.start();
    this.publisher?.start();
    this.routes();
    const host = this.options.host ?? config.GATEWAY_HOST;
    const port = this.options.port ?? config.GATEWAY_PORT;
    // uSockets binds with SO_REUSEPORT unless told otherwise: a second gateway (a stale dev process, say) would share
    // the port silently and take half the connections. Exclusive, so a taken port fails here. The (host, port,
    // options, cb) form exists in the binding but not in its .d.ts.
    const listen = this.app.listen as unknown as (host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void) => void;
    this.listenSocket = await new Promise<us_listen_socket>((resolve, reject) =>
      listen.call(this.app, host, port, LISTEN_EXCLUSIVE_PORT, (socket) =>
        socket ? resolve(socket) : reject(new Error(`the gateway could not listen on ${host}:${port} (in use?)`)),
      ),
    );
    this.port = this.uws.us_socket_local_port(this.listenSocket as never);
    const heartbeat = config.GATEWAY_HEARTBEAT_MS;
    this.sweepEvery = Math.max(50, Math.min(1000, Math.floor(heartbeat / 4)));
    this.lastSweep = Date.now();
    this.timers.push(setInterval(() => this.sweepConnections(), this.sweepEvery));
    this.timers.push(setInterval(() => this.track(this.checkpoint()), 5000));
    this.log.info({ host, port: this.port }, 'gateway listening');
  }

  private routes(): void {
    const { config } = this.services;
    const maxBuffered = config.GATEWAY_MAX_BUFFERED_BYTES;
    const idleTimeout = Math.min(960, Math.max(8, 4 * Math.ceil((3 * config.GATEWAY_HEARTBEAT_MS) / 4000)));
    this.app.ws<SocketData>('/gateway', {
      maxPayloadLength: 16 * 1024,
      // uWS drops sends past this; we close a socket once past maxBuffered and stop writing to it, so a drop only
      // happens within one frame bigger than maxBuffered, and the close frame (4010) still fits.
      maxBackpressure: Math.max(64 * 1024, maxBuffered * 2),
      closeOnBackpressureLimit: 0,
      idleTimeout,
      sendPingsAutomatically: true,
      compression: this.uws.DISABLED,
      upgrade: (res, req, context) => {
        if (this.closing) {
          res.writeStatus('503 Service Unavailable').end('gateway shutting down');
          return;
        }
        res.upgrade<SocketData>(
          { connection: new SocketConnection(maxBuffered) },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        const connection = ws.getUserData().connection;
        connection.opened(ws);
        this.connections.add(connection);
        connection.send(frame(Op.HELLO, { heartbeatInterval: config.GATEWAY_HEARTBEAT_MS }));
      },
      message: (ws, message) => {
        // The ArrayBuffer is only valid during this call: decode it now.
        this.onFrame(ws.getUserData().connection, Buffer.from(message).toString('utf8'));
      },
      drain: (ws) => ws.getUserData().connection.drainedNow(),
      close: (ws) => this.onClose(ws.getUserData().connection),
    });
    this.app.get('/gateway/health', (res) => {
      res.writeHeader('content-type', 'application/json').end(JSON.stringify(this.stats));
    });
    this.app.any('/*', (res) => {
      res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json').end('{"error":{"code":"not_found","message":"the gateway is at /gateway"}}');
    });
  }

  private onFrame(connection: SocketConnection, text: string): void {
    const now = Date.now();
    if (!connection.budget(now)) return connection.close(CloseCode.RATE_LIMITED, 'too many frames');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return connection.close(CloseCode.DECODE_ERROR, 'frames are JSON');
    }
    const op = (parsed as { op?: unknown } | null)?.op;
    if (!CLIENT_OPS.has(op)) return connection.close(CloseCode.UNKNOWN_OPCODE, `unknown op ${String(op).slice(0, 32)}`);
    const result = clientFrameSchema.safeParse(parsed);
    if (!result.success) return connection.close(CloseCode.DECODE_ERROR, `invalid ${String(op)} payload`);
    const message: ClientFrame = result.data;
    switch (message.op) {
      case Op.HEARTBEAT:
        connection.lastBeat = now;
        if (typeof message.d === 'number' && connection.session?.state === 'live') connection.session.ack(message.d);
        connection.send(frame(Op.HEARTBEAT_ACK));
        return;
      case Op.IDENTIFY:
      case Op.RESUME: {
        if (connection.phase !== 'hello') return connection.close(CloseCode.ALREADY_AUTHENTICATED, 'already authenticated');
        connection.phase = 'authenticating';
        const flow = message.op === Op.IDENTIFY ? this.identify(connection, message.d.token) : this.resume(connection, message.d);
        this.track(
          flow.catch((error) => {
            this.log.error({ err: error }, `gateway ${message.op} failed`);
            connection.close(CloseCode.UNKNOWN_ERROR, 'internal error');
          }),
        );
        return;
      }
      case Op.PRESENCE_UPDATE: {
        // Fine before READY/RESUMED arrives too, once the token (or session) has been accepted.
        if (!connection.session) {
          if (connection.phase === 'hello') connection.close(CloseCode.NOT_AUTHENTICATED, 'not authenticated');
          return;
        }
        const { userId } = connection.session;
        this.track(
          this.services.commands
            .execute(userStream(userId), userDecider, { type: 'SetStatus', status: message.d.status, at: new Date().toISOString() }, this.context(userId))
            .catch((error) => this.log.warn({ err: error }, 'gateway status update failed')),
        );
        return;
      }
      case Op.VOICE_REQUEST:
        if (connection.phase === 'hello') return connection.close(CloseCode.NOT_AUTHENTICATED, 'not authenticated');
        this.voice.request(connection, connection.phase === 'ready' ? connection.session?.userId : undefined, message.d);
        return;
    }
  }

  private context(userId: string) {
    return { actorId: userId, correlationId: `gateway-${this.nodeId}`, causationId: `gateway-${randomBytes(6).toString('hex')}` };
  }

  private async identify(connection: SocketConnection, token: string): Promise<void> {
    const auth = await this.auth.authenticate(token);
    if (!connection.open) return;
    if (!auth) return connection.close(CloseCode.AUTHENTICATION_FAILED, 'authentication failed');
    const snapshot = await readUserSnapshot(this.services, auth.userId, this.feed.position);
    if (!connection.open) return;
    const session = new Session(randomBytes(16).toString('hex'), auth.userId, auth.authSessionId, this.services.config.GATEWAY_RESUME_WINDOW);
    session.connection = connection;
    connection.session = session;
    // Sessions join live delivery in batches: one dispatch-queue turn and one Redis round trip for every IDENTIFY
    // waiting (a node restart brings thousands at once).
    await new Promise<void>((resolve) => {
      this.attaching.push({ connection, session, snapshot, done: resolve });
      if (this.attaching.length === 1) this.track(this.queue.push(() => this.attachPending()));
    });
  }

  /** Attaches every identified session waiting, as of the node's current position, and sends their READY. */
  private async attachPending(): Promise<void> {
    const batch = this.attaching.splice(0);
    const { world } = this.dispatcher;
    const missing: string[] = [];
    try {
      const position = this.feed.position;
      const maxBehind = this.services.config.GATEWAY_MAX_REPLAY_EVENTS;
      for (const { connection, snapshot } of batch) {
        if (position - snapshot.asOf > maxBehind) connection.close(CloseCode.UNKNOWN_ERROR, 'read models are catching up; try again');
      }
      const open = batch.filter((a) => a.connection.open);
      await addJoinsSince(this.services.store, open.map((a) => ({ userId: a.session.userId, snapshot: a.snapshot })), position);
      missing.push(...new Set(open.flatMap((a) => a.snapshot.revoltIds.filter((id) => !world.has(id)))));
      await Promise.all(missing.map((id) => world.load(id, position)));
      const pipeline = this.redis.pipeline();
      for (const { session, snapshot } of open) {
        addMemberships(session, world, snapshot.revoltIds);
        session.ring.reset(0, { position: position + 1, skip: 0 });
        this.store.create(session, pipeline);
      }
      await pipeline.exec();
      for (const { connection, session, snapshot } of open) {
        // A revocation seen while this IDENTIFY was on its way.
        if (this.auth.isRevoked(session.authSessionId)) connection.close(CloseCode.AUTHENTICATION_FAILED, 'token revoked');
        if (!connection.open) {
          this.track(this.store.remove(session.id));
          continue;
        }
        this.sessions.set(session.id, session);
        this.dispatcher.attach(session);
        connection.phase = 'ready';
        connection.send(
          frame(Op.READY, {
            v: 1,
            sessionId: session.id,
            user: snapshot.user,
            revolts: [...session.revolts].map(([id, visible]) => revoltView(world.get(id)!, visible)),
          }),
        );
        this.presenceConnected(connection, session.userId);
      }
    } catch (error) {
      this.log.error({ err: error }, 'gateway: attaching sessions failed');
      for (const { connection } of batch) if (connection.phase !== 'ready') connection.close(CloseCode.UNKNOWN_ERROR, 'internal error');
    } finally {
      this.dispatcher.dropUnused(missing);
      for (const { done } of batch) done();
    }
  }

  private presenceConnected(connection: SocketConnection, userId: string): void {
    connection.presenceUser = userId;
    this.track(this.presence.connected(userId, connection.id));
  }

  private async claim(sessionId: string): Promise<ClaimResult> {
    let claim = await this.store.claim(sessionId);
    if (claim.status !== 'busy') return claim;
    // Another connection (on this node or another) still holds it: ask its node to close it, wait for the release.
    await this.redis.publish(controlChannel(this.services.config.REDIS_PREFIX), JSON.stringify({ type: 'takeover', sessionId } satisfies ControlMessage));
    const deadline = Date.now() + TAKEOVER_WAIT_MS;
    while (claim.status === 'busy' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      claim = await this.store.claim(sessionId);
    }
    // Its node did not answer: presumed dead; its last checkpoint is what we have.
    return claim.status === 'busy' ? this.store.claim(sessionId, true) : claim;
  }

  private invalidSession(connection: SocketConnection): void {
    connection.phase = 'hello';
    connection.session = undefined;
    connection.helloAt = Date.now();
    connection.send(frame(Op.INVALID_SESSION, false));
  }

  private async resume(connection: SocketConnection, request: { sessionId: string; seq: number; token?: string | undefined }): Promise<void> {
    const { config } = this.services;
    // Everything is checked before the claim: claiming takes the session from the socket holding it.
    const tokenAuth = request.token ? await this.auth.authenticate(request.token) : undefined;
    if (tokenAuth === null) return connection.close(CloseCode.AUTHENTICATION_FAILED, 'authentication failed');
    const owner = await this.store.owner(request.sessionId);
    // Someone else's session looks unknown to a token's holder.
    if (!owner || (tokenAuth && tokenAuth.userId !== owner.userId)) return this.invalidSession(connection);
    if (!(await this.auth.stands(owner.authSessionId, owner.userId))) {
      await this.store.remove(request.sessionId);
      return connection.close(CloseCode.AUTHENTICATION_FAILED, 'authentication failed');
    }
    if (!connection.open) return;
    const claim = await this.claim(request.sessionId);
    if (claim.status !== 'ok') return this.invalidSession(connection);
    const stored = claim.session;
    const session = new Session(stored.id, stored.userId, stored.authSessionId, config.GATEWAY_RESUME_WINDOW);
    session.epoch = stored.epoch;
    session.ring.restore(stored.anchorSeq, stored.anchor, stored.entries);
    const point = resolveResume(stored.anchorSeq, stored.anchor, stored.entries, request.seq);
    if (!point || this.feed.position - point.position > config.GATEWAY_MAX_REPLAY_EVENTS) {
      await this.store.remove(stored.id);
      return this.invalidSession(connection);
    }
    if (!connection.open) return this.release(session);

    session.seq = request.seq;
    session.ring.reset(request.seq, point);
    session.connection = connection;
    connection.session = session;
    this.sessions.set(session.id, session);
    const replay = new Replay(this.services.store, session, point, (revoltId) => this.track(this.store.addRevolts(session, [revoltId])));
    const maxBuffered = config.GATEWAY_MAX_BUFFERED_BYTES;
    let live = false;
    try {
      await replay.prepare(stored.revolts);
      // Most of the replay runs beside live delivery, writing as the socket drains...
      const caughtUp = await replay.run(this.feed.position, async () => {
        if (!connection.open) return false;
        session.flush();
        while (connection.open && connection.bufferedAmount() > maxBuffered / 2) await connection.drained();
        return connection.open;
      });
      // ...and the last stretch inside the dispatch queue, so the session joins live delivery at exactly that point.
      if (caughtUp && connection.open) {
        live = await this.queue.push(async () => {
          if (!connection.open || !(await replay.run(this.feed.position)) || !connection.open) return false;
          if (this.auth.isRevoked(session.authSessionId)) {
            replay.revoked = true;
            return false;
          }
          const { world } = this.dispatcher;
          for (const revoltId of session.revolts.keys()) if (!world.has(revoltId)) world.adopt(replay.world, revoltId);
          this.dispatcher.attach(session);
          if (!session.flush()) return true;
          connection.phase = 'ready';
          connection.send(frame(Op.RESUMED, { sessionId: session.id, seq: session.seq }));
          this.presenceConnected(connection, session.userId);
          return true;
        });
      }
    } finally {
      if (replay.revoked) {
        connection.close(CloseCode.AUTHENTICATION_FAILED, 'token revoked');
        if (session.state !== 'live') {
          this.forget(session);
          this.track(this.store.remove(session.id));
        }
      } else if (!live && session.state !== 'live') {
        connection.close(CloseCode.UNKNOWN_ERROR, 'resume interrupted');
        this.release(session);
      }
    }
  }

  private forget(session: Session): void {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
  }

  /** Hands a session back to Redis (resumable by any node for GATEWAY_SESSION_TTL_SECONDS). */
  private release(session: Session): void {
    this.forget(session);
    session.state = 'closed';
    this.track(this.store.release(session));
  }

  private onClose(connection: SocketConnection): void {
    connection.closed();
    this.connections.delete(connection);
    const session = connection.session;
    if (session?.state === 'live') {
      this.dispatcher.detach(session);
      this.release(session);
    }
    // A session still replaying is released by its resume flow, which sees the connection closed.
    this.voice.closed(connection);
    if (connection.presenceUser) this.track(this.presence.disconnected(connection.presenceUser, connection.id));
  }

  /**
   * Identify deadlines and heartbeats: silent connections are zombies. Silence is counted only while this node was
   * listening: a sweep that runs late means the node's own event loop was stalled (a long task, GC, a starved CPU),
   * and whatever the clients sent meanwhile still sits unread in the sockets (timers run before I/O is polled), so
   * the stall is charged to nobody: every deadline moves forward by it. A client silent while the node was running
   * is still closed after 1.5 intervals of that time.
   */
  private sweepConnections(): void {
    const { GATEWAY_IDENTIFY_TIMEOUT_MS: identifyTimeout, GATEWAY_HEARTBEAT_MS: heartbeat } = this.services.config;
    const now = Date.now();
    const stalled = now - this.lastSweep - this.sweepEvery;
    this.lastSweep = now;
    if (stalled > this.sweepEvery / 2) {
      for (const connection of this.connections) {
        connection.helloAt = Math.min(now, connection.helloAt + stalled);
        connection.lastBeat = Math.min(now, connection.lastBeat + stalled);
      }
    }
    for (const connection of [...this.connections]) {
      if (connection.phase === 'hello' && now - connection.helloAt > identifyTimeout) {
        connection.close(CloseCode.NOT_AUTHENTICATED, 'no IDENTIFY or RESUME in time');
      } else if (now - connection.lastBeat > heartbeat * 1.5) {
        connection.close(CloseCode.SESSION_TIMED_OUT, 'heartbeat missed: resume');
      }
    }
  }

  /** Stores the anchors that heartbeats moved (every 5 s) and refreshes every live session's expiry (every minute). */
  private async checkpoint(): Promise<void> {
    const all = ++this.checkpointTick % 12 === 0;
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

  private onPubSub(channel: string, message: Buffer): void {
    const prefix = this.services.config.REDIS_PREFIX;
    try {
      if (channel === ephemeralChannel(prefix)) {
        const typing = JSON.parse(message.toString()) as TypingStarted;
        if (typing.type !== 'TypingStarted') return;
        const { channelId, revoltId, userId, at } = typing;
        this.app.publish(topics.channel(channelId), frame(Op.TYPING, { channelId, revoltId, userId, at }));
      } else if (channel === controlChannel(prefix)) {
        this.onControl(JSON.parse(message.toString()) as ControlMessage);
      }
    } catch (error) {
      this.log.warn({ err: error, channel }, 'gateway: unreadable pub/sub message');
    }
  }

  private onControl(message: ControlMessage): void {
    if (message.type === 'takeover') {
      this.sessions.get(message.sessionId)?.connection?.close(CloseCode.SESSION_REPLACED, 'session resumed on another connection');
    } else if (message.type === 'bench-publish' && this.services.config.GATEWAY_BENCH_HOOKS) {
      this.benchPublish(message.topic, message.count, message.perTick ?? 50, message.size ?? 0, message.intervalMs ?? 0);
    } else if (message.type === 'voice') {
      this.voice.onControl(message);
    }
  }

  /** Raw uWS publishes (frames padded to `size` bytes), in slices so the loop keeps turning (benchmark ceiling). */
  private benchPublish(topic: string, count: number, perTick: number, size: number, intervalMs: number): void {
    let i = 0;
    const step = () => {
      for (let n = 0; n < perTick && i < count; n++, i++) {
        const head = `{"op":"BENCH","d":{"i":${i},"at":${Date.now()},"pad":"`;
        this.app.publish(topic, `${head}${'x'.repeat(Math.max(0, size - head.length - 3))}"}}`);
      }
      if (i < count && !this.closing) {
        if (intervalMs > 0) setTimeout(step, intervalMs);
        else setImmediate(step);
      }
    };
    step();
  }

  private onLeadership(leading: boolean): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    if (!leading) return;
    const sweep = () => this.track(this.presence.sweep().catch((error) => this.log.warn({ err: error }, 'presence sweep failed')));
    sweep();
    this.sweepTimer = setInterval(sweep, 5000);
  }

  private track<T>(promise: Promise<T>): void {
    const tracked = promise.catch((error) => this.log.warn({ err: error }, 'gateway background task failed'));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  /** Graceful: stop listening, tell every client to RECONNECT (and resume elsewhere), release their sessions. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.timers) clearInterval(timer);
      clearInterval(this.sweepTimer);
      if (this.listenSocket) this.uws.us_listen_socket_close(this.listenSocket);
      this.listenSocket = undefined;
      for (const connection of [...this.connections]) {
        connection.send(frame(Op.RECONNECT));
        connection.close(CloseCode.SERVICE_RESTART, 'gateway restarting: resume');
      }
      await this.publisher?.stop();
      await this.feed.stop();
      while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
      this.voice.close();
      await this.presence.stop();
      this.subscriber.disconnect();
      await this.redis.quit().catch(() => undefined);
    })();
    return this.closing;
  }
}

/** Starts a gateway node for the composition root (src/main.ts). */
export function startGateway(services: Services, options: GatewayOptions = {}): Promise<Gateway> {
  return Gateway.start(services, options);
}
