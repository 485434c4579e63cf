import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TypingStarted } from '../commands/messages/typing.ts';
import { ephemeralChannel } from '../commands/messages/typing.ts';
import type { Services } from '../http/services.ts';
import type { VoiceMedia } from '../voice/media/index.ts';
import { VoiceSignalling } from '../voice/signalling/signalling.ts';
import { TokenAuthenticator } from './auth.ts';
import type { SocketConnection } from './connection.ts';
import { controlChannel, decodeControl, encodeControl, type ControlMessage } from './control-channel.ts';
import { Dispatcher, topics } from './dispatcher.ts';
import { EventFeed, SerialQueue } from './feed.ts';
import { LocalSessions } from './local-sessions.ts';
import type { NodeContext } from './ops/context.ts';
import { OpRouter } from './ops/router.ts';
import { voiceClient } from './ops/voice.ts';
import { PresenceTracker } from './presence.ts';
import { CloseCode, frame, Op } from './protocol.ts';
import { Publisher } from './publisher.ts';
import { SessionStore } from './session-store.ts';
import { SocketServer } from './socket-server.ts';
import { RevoltWorld } from './world.ts';

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
 * A realtime gateway node: a uWebSockets.js server at /gateway (SocketServer) speaking the protocol of protocol.ts,
 * one handler per op (ops/). Every node follows the event stream published over Redis (EventFeed), dispatches to
 * its own sockets (Dispatcher), keeps its sessions resumable from any node (SessionStore), records
 * connection-driven presence (PresenceTracker) and hears the other nodes on the control channel. One node at a
 * time also runs the Publisher that feeds the stream.
 */
export class Gateway {
  readonly nodeId = randomBytes(6).toString('hex');
  private readonly sockets: SocketServer;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly store: SessionStore;
  private readonly sessions: LocalSessions;
  private readonly queue = new SerialQueue();
  private readonly feed: EventFeed;
  private readonly dispatcher: Dispatcher;
  private readonly auth: TokenAuthenticator;
  private readonly presence: PresenceTracker;
  private readonly publisher: Publisher | undefined;
  private readonly voice: VoiceSignalling;
  private readonly ops: OpRouter;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;
  private readonly log: Logger;

  private constructor(
    private readonly services: Services,
    private readonly options: GatewayOptions,
  ) {
    const { config } = services;
    this.sockets = new SocketServer(config, {
      frame: (connection, text) => this.ops.frame(connection, text),
      closed: (connection) => this.closed(connection),
      health: () => this.stats,
    });
    this.log = services.logger.child({ component: 'gateway', node: this.nodeId });
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    // Connected (and ready) before it subscribes: ioredis' ready check must not run on a connection in subscriber mode.
    this.subscriber = new Redis(config.REDIS_URL, { lazyConnect: true });
    for (const connection of [this.redis, this.subscriber]) connection.on('error', (error) => this.log.warn({ err: error }, 'gateway redis error'));
    this.auth = new TokenAuthenticator(services.commands);
    this.store = new SessionStore(this.redis, config.REDIS_PREFIX, this.nodeId, config.GATEWAY_SESSION_TTL_SECONDS);
    this.sessions = new LocalSessions(this.store, this.redis, (promise) => this.track(promise));
    this.dispatcher = new Dispatcher(new RevoltWorld(services.store, services.catalogue), {
      onNewRevolt: (session, revoltId) => this.track(this.store.addRevolts(session, [revoltId])),
      onRevoked: (authSessionId, sessions) => {
        this.auth.revoke(authSessionId);
        for (const session of sessions) session.connection?.close(CloseCode.AUTHENTICATION_FAILED, 'token revoked');
      },
    });
    this.feed = new EventFeed({
      store: services.store,
      catalogue: services.catalogue,
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
      publish: (message) => this.track(this.control(message)),
      track: (promise) => this.track(promise),
      logger: this.log,
    });
    this.ops = new OpRouter(this.context());
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

  /** The port it listens on. */
  get port(): number {
    return this.sockets.port;
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
      sockets: this.sockets.connections.size,
      sessions: this.dispatcher.sessionCount,
      position: this.feed.position,
      publisher: this.isPublisher,
      dispatched: this.dispatcher.dispatched,
    };
  }

  /** Sends `message` to every socket of this node subscribed to `topic` (see `topics` in dispatcher.ts). */
  publish(topic: string, message: string): void {
    this.sockets.publish(topic, message);
  }

  private context(): NodeContext {
    const { auth, dispatcher, feed, log, nodeId, queue, redis, services, sessions, store, voice } = this;
    return {
      nodeId,
      services,
      log,
      redis,
      auth,
      store,
      sessions,
      feed,
      queue,
      dispatcher,
      voice,
      control: (message) => this.control(message),
      online: (connection, userId) => {
        connection.presenceUser = userId;
        this.track(this.presence.connected(userId, connection.id));
      },
      track: (promise) => this.track(promise),
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
    const host = this.options.host ?? config.GATEWAY_HOST;
    await this.sockets.listen(host, this.options.port ?? config.GATEWAY_PORT);
    this.checkpointTimer = setInterval(() => this.track(this.sessions.checkpoint()), 5000);
    this.log.info({ host, port: this.port }, 'gateway listening');
  }

  private closed(connection: SocketConnection): void {
    const session = connection.session;
    if (session?.state === 'live') {
      this.dispatcher.detach(session);
      this.sessions.release(session);
    }
    // A session still replaying is released by its resume flow, which sees the connection closed.
    this.voice.closed(voiceClient(connection));
    if (connection.presenceUser) this.track(this.presence.disconnected(connection.presenceUser, connection.id));
  }

  private control(message: ControlMessage): Promise<number> {
    return this.redis.publish(controlChannel(this.services.config.REDIS_PREFIX), encodeControl(message));
  }

  private onPubSub(channel: string, message: Buffer): void {
    const prefix = this.services.config.REDIS_PREFIX;
    try {
      if (channel === ephemeralChannel(prefix)) {
        const typing = JSON.parse(message.toString()) as TypingStarted;
        if (typing.type !== 'TypingStarted') return;
        const { channelId, revoltId, userId, at } = typing;
        this.publish(topics.channel(channelId), frame(Op.TYPING, { channelId, revoltId, userId, at }));
      } else if (channel === controlChannel(prefix)) {
        const control = decodeControl(message.toString());
        if (control) this.onControl(control);
      }
    } catch (error) {
      this.log.warn({ err: error, channel }, 'gateway: unreadable pub/sub message');
    }
  }

  private onControl(message: ControlMessage): void {
    if (message.type === 'takeover') {
      this.sessions.get(message.sessionId)?.connection?.close(CloseCode.SESSION_REPLACED, 'session resumed on another connection');
    } else if (message.type === 'voice') {
      this.voice.onControl(message);
    }
  }

  private onLeadership(leading: boolean): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    if (!leading) return;
    const sweep = () => {
      this.track(this.presence.sweep().catch((error) => this.log.warn({ err: error }, 'presence sweep failed')));
      // A voice stay held by a socket of a dead node would otherwise stay open for good.
      const ended = this.voice.endOrphanedStays((userId, holder) => this.presence.isLive(userId, holder));
      this.track(ended.then((count) => count > 0 && this.log.info({ count }, 'ended the voice stays of sockets on dead nodes')));
    };
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
      clearInterval(this.checkpointTimer);
      clearInterval(this.sweepTimer);
      this.sockets.shutDown();
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
