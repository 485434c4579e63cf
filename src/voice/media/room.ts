// One voice channel's media on this process: its routers (one per worker it spans, linked with pipeToRouter), the
// producers in it (each present on every router of the room: the original, or a pipe of it), and the local
// participants (peers) with their transports, producers and consumers.
//
// Every operation on a room runs through its queue (run()), one at a time: joins, placements, pipes, produce and
// consume never interleave, so the room's maps always say what mediasoup has.
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { maxIncomingBitrate, mediaCodecs } from './codecs.ts';
import { SpeakingDebouncer } from './speaking.ts';
import {
  VoiceMediaError,
  type ConsumerParams,
  type MediaSource,
  type PeerStats,
  type PlainTransportParams,
  type RoomSettings,
  type RoomStats,
  type SpeakingOptions,
  type TransportDirection,
  type VoiceMediaErrorCode,
  type VoiceMediaEvents,
  type WebRtcTransportParams,
} from './types.ts';
import type { WorkerPool, WorkerSlot } from './worker-pool.ts';

export interface RoomRouter {
  readonly router: ms.Router;
  readonly slot: WorkerSlot;
  /** This router's instance of every producer of the room: the original (local peer or cluster link) or a pipe. */
  readonly producers: Map<string, ms.Producer>;
  readonly audioObserver: ms.AudioLevelObserver;
  /** Local peers placed on this router. */
  readonly peers: Set<string>;
  /** Consumers on this router (of peers, pipes and cluster links). */
  consumers: number;
}

/** A producer of the room, wherever it comes from. */
export interface ProducerInfo {
  readonly id: string;
  readonly userId: string;
  readonly source: MediaSource;
  readonly kind: ms.MediaKind;
  /** The router holding the original instance (for a remote producer: the router of the cluster link it came over). */
  readonly origin: RoomRouter;
  /** The cluster node it came from; undefined for a local peer's. */
  readonly fromNode?: string;
}

interface PeerConsumer {
  readonly consumer: ms.Consumer;
  /** The client asked for it to flow (resumeConsumer); deafen pauses it, undeafen resumes only these. */
  wanted: boolean;
}

interface Peer {
  readonly userId: string;
  readonly rtpCapabilities: ms.RtpCapabilities;
  readonly router: RoomRouter;
  readonly transports: Map<string, { transport: ms.WebRtcTransport | ms.PlainTransport; direction: TransportDirection }>;
  recv?: ms.Transport;
  readonly producers: Map<MediaSource, ms.Producer>;
  readonly consumers: Map<string, PeerConsumer>;
  deafened: boolean;
  serverMuted: boolean;
  /** The owner muted their mic (or produced it paused): server-unmute leaves it paused. */
  selfMuted: boolean;
}

type Emit = <K extends keyof VoiceMediaEvents>(event: K, ...args: VoiceMediaEvents[K]) => void;

export interface RoomDeps {
  pool: WorkerPool;
  logger: Logger;
  emit: Emit;
  listenIp: string;
  announcedAddress?: string;
  maxConsumersPerRouter: number;
  speaking: SpeakingOptions;
  /** A producer was added to the room (the cluster forwards it over its links). */
  onProducer?: (room: Room, info: ProducerInfo) => Promise<void> | undefined;
}

const SOURCE_KIND: Record<MediaSource, ms.MediaKind> = { mic: 'audio', webcam: 'video', screen: 'video' };

export class Room {
  readonly routers: RoomRouter[] = [];
  readonly producers = new Map<string, ProducerInfo>();
  private readonly peers = new Map<string, Peer>();
  private readonly speaking: SpeakingDebouncer;
  private speakingTimer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set by the cluster: the node this room lives on, and the nodes it is linked with. */
  homeNodeId: string;
  readonly links = new Set<string>();
  closed = false;
  /** The routers' RTP capabilities: the same for every router of the room (same codecs), kept across worker deaths. */
  rtpCapabilities!: ms.RtpCapabilities;

  private constructor(
    readonly channelId: string,
    public settings: RoomSettings,
    private readonly deps: RoomDeps,
    nodeId: string,
  ) {
    this.homeNodeId = nodeId;
    this.speaking = new SpeakingDebouncer(deps.speaking);
  }

  static async open(channelId: string, settings: RoomSettings, deps: RoomDeps, nodeId: string): Promise<Room> {
    const room = new Room(channelId, settings, deps, nodeId);
    room.rtpCapabilities = (await room.addRouter(await deps.pool.pick())).router.rtpCapabilities;
    return room;
  }

  /** Runs fn after every operation queued before it; rejects with a VoiceMediaError ('closed' once the room is closed). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue
      .then(() => {
        if (this.closed) throw new VoiceMediaError('closed', `the room of channel ${this.channelId} is closed`);
        return fn();
      })
      .catch((error: unknown) => {
        throw asMediaError(error);
      });
    this.queue = next.catch(() => undefined);
    return next;
  }

  get peerCount(): number {
    return this.peers.size;
  }

  hasPeer(userId: string): boolean {
    return this.peers.has(userId);
  }

  // ── participants ────────────────────────────────────────────────────────────────────────────────────────────

  async join(userId: string, rtpCapabilities: ms.RtpCapabilities): Promise<void> {
    if (!rtpCapabilities || !Array.isArray(rtpCapabilities.codecs)) {
      throw new VoiceMediaError('bad_request', 'rtpCapabilities must be a device\'s RTP capabilities (with codecs)');
    }
    if (this.peers.has(userId)) this.removePeer(userId); // a reconnect: the new media replaces the old
    const max = this.settings.maxMembers;
    if (max !== undefined && this.peers.size >= max) throw new VoiceMediaError('room_full', `the channel holds at most ${max} members`);
    const router = await this.placePeer();
    router.peers.add(userId);
    this.peers.set(userId, {
      userId,
      rtpCapabilities,
      router,
      transports: new Map(),
      producers: new Map(),
      consumers: new Map(),
      deafened: false,
      serverMuted: false,
      selfMuted: false,
    });
  }

  /** Closes everything of the peer; false if it was not here. */
  leave(userId: string): boolean {
    if (!this.peers.has(userId)) return false;
    this.removePeer(userId);
    this.deps.emit('peerRemoved', this.channelId, userId, 'left');
    return true;
  }

  private removePeer(userId: string): void {
    const peer = this.peers.get(userId);
    if (!peer) return;
    this.peers.delete(userId);
    peer.router.peers.delete(userId);
    for (const { transport } of peer.transports.values()) transport.close(); // closes its producers and consumers
    this.stopSpeaking(userId);
  }

  /** The room's router with the fewest consumers (the first of them on a tie). */
  leastConsumedRouter(): RoomRouter | undefined {
    return this.routers.reduce<RoomRouter | undefined>((best, r) => (!best || r.consumers < best.consumers ? r : best), undefined);
  }

  /** The router for a new peer: the room's least-consumed one under the threshold, else a new one on another worker. */
  private async placePeer(): Promise<RoomRouter> {
    const least = this.leastConsumedRouter();
    if (least && least.consumers < this.deps.maxConsumersPerRouter) return least;
    const used = new Set(this.routers.map((r) => r.slot.index));
    const slot = await this.deps.pool.pick(used);
    if (used.has(slot.index)) return least!; // every worker already serves this room: share the least busy
    return this.addRouter(slot);
  }

  // ── routers ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** A new router of the room on that worker, with every producer of the room piped into it. */
  private async addRouter(slot: WorkerSlot): Promise<RoomRouter> {
    const router = await slot.worker.createRouter({ mediaCodecs: mediaCodecs(this.settings), appData: { channelId: this.channelId } });
    try {
      const { thresholdDb, intervalMs } = this.deps.speaking;
      const audioObserver = await router.createAudioLevelObserver({ maxEntries: 64, threshold: thresholdDb, interval: intervalMs });
      const rr: RoomRouter = { router, slot, producers: new Map(), audioObserver, peers: new Set(), consumers: 0 };
      router.observer.on('newtransport', (transport) =>
        transport.observer.on('newconsumer', (consumer) => {
          rr.consumers += 1;
          consumer.observer.once('close', () => (rr.consumers -= 1));
        }),
      );
      audioObserver.on('volumes', (volumes) => this.observeSpeaking(new Set(volumes.map((v) => String(v.producer.appData.userId)))));
      audioObserver.on('silence', () => this.observeSpeaking(new Set()));
      this.routers.push(rr);
      await Promise.all([...this.producers.values()].map((info) => this.pipe(info, rr)));
      this.deps.logger.info({ channelId: this.channelId, worker: slot.index, routers: this.routers.length }, 'voice room router added');
      return rr;
    } catch (error) {
      router.close();
      this.routers.splice(this.routers.findIndex((r) => r.router === router) >>> 0, 1);
      throw error;
    }
  }

  /** Makes `info` available on `target` (a pipe from its origin router), then consumes it there for whoever should. */
  private async pipe(info: ProducerInfo, target: RoomRouter): Promise<void> {
    if (target === info.origin || target.producers.has(info.id)) return;
    const { pipeProducer } = await info.origin.router.pipeToRouter({ producerId: info.id, router: target.router, enableSctp: false });
    if (!pipeProducer) return;
    this.holdInstance(target, pipeProducer);
    await this.consumeOn(target, info);
  }

  private holdInstance(router: RoomRouter, producer: ms.Producer): void {
    router.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      if (router.producers.get(producer.id) === producer) router.producers.delete(producer.id);
    });
  }

  /**
   * The routers on this (dead) worker are gone: drops them, recreates the room on a live worker if nothing is
   * left, and returns the peers that lost their media (they have to reconnect).
   */
  async dropWorker(slot: WorkerSlot): Promise<string[]> {
    const lost = this.routers.filter((r) => r.slot === slot); // not a router on the replacement in the same slot
    if (lost.length === 0) return [];
    const userIds: string[] = [];
    for (const rr of lost) {
      this.routers.splice(this.routers.indexOf(rr), 1);
      rr.router.close(); // already closed by the worker's death; makes sure pipes and instances are released
      for (const userId of rr.peers) {
        this.removePeer(userId);
        userIds.push(userId);
      }
      for (const [id, info] of this.producers) if (info.origin === rr) this.producers.delete(id);
    }
    if (this.routers.length === 0) await this.addRouter(await this.deps.pool.pick());
    return userIds;
  }

  close(): string[] {
    if (this.closed) return [];
    this.closed = true;
    clearTimeout(this.speakingTimer);
    const userIds = [...this.peers.keys()];
    this.peers.clear();
    for (const rr of this.routers) rr.router.close();
    this.routers.length = 0;
    this.producers.clear();
    return userIds;
  }

  // ── transports ──────────────────────────────────────────────────────────────────────────────────────────────

  async createWebRtcTransport(userId: string, direction: TransportDirection): Promise<WebRtcTransportParams> {
    const peer = this.peer(userId);
    const transport = await peer.router.router.createWebRtcTransport({
      webRtcServer: peer.router.slot.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      appData: { userId, direction },
    });
    if (direction === 'send') await transport.setMaxIncomingBitrate(maxIncomingBitrate(this.settings));
    // A client whose DTLS failed or closed creates a new transport; this one is dead weight.
    transport.on('dtlsstatechange', (state) => (state === 'failed' || state === 'closed') && transport.close());
    this.addTransport(peer, transport, direction);
    return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
  }

  async createPlainTransport(userId: string, direction: TransportDirection, comedia: boolean): Promise<PlainTransportParams> {
    const peer = this.peer(userId);
    const { listenIp, announcedAddress } = this.deps;
    const transport = await peer.router.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: listenIp, ...(announcedAddress ? { announcedAddress } : {}) },
      rtcpMux: true,
      comedia: direction === 'send' && comedia,
      appData: { userId, direction },
    });
    this.addTransport(peer, transport, direction);
    return { id: transport.id, ip: announcedAddress ?? listenIp, port: transport.tuple.localPort };
  }

  private addTransport(peer: Peer, transport: ms.WebRtcTransport | ms.PlainTransport, direction: TransportDirection): void {
    peer.transports.set(transport.id, { transport, direction });
    (transport as ms.Transport).observer.once('close', () => {
      peer.transports.delete(transport.id);
      if (peer.recv === transport) peer.recv = undefined;
    });
    if (direction === 'recv') {
      peer.recv = transport;
      // After the caller has answered with the transport's parameters: consumers of what is already in the room.
      setImmediate(() => void this.run(() => this.consumeAllFor(peer)).catch((error) => this.logFailure('consume', error)));
    }
  }

  async connectWebRtcTransport(userId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const { transport } = this.transport(userId, transportId);
    if (transport.type !== 'webrtc') throw new VoiceMediaError('bad_request', 'not a WebRTC transport');
    if (!dtlsParameters || !Array.isArray(dtlsParameters.fingerprints)) throw new VoiceMediaError('bad_request', 'dtlsParameters with fingerprints are required');
    await asBadRequest(transport.connect({ dtlsParameters }));
  }

  async connectPlainTransport(userId: string, transportId: string, remote: { ip: string; port: number }): Promise<void> {
    const { transport } = this.transport(userId, transportId);
    if (transport.type !== 'plain') throw new VoiceMediaError('bad_request', 'not a plain transport');
    await asBadRequest(transport.connect({ ip: remote.ip, port: remote.port }));
  }

  // ── producers ───────────────────────────────────────────────────────────────────────────────────────────────

  async produce(
    userId: string,
    transportId: string,
    options: { kind: ms.MediaKind; rtpParameters: ms.RtpParameters; source: MediaSource; paused?: boolean },
  ): Promise<string> {
    const peer = this.peer(userId);
    const { transport, direction } = this.transport(userId, transportId);
    if (direction !== 'send') throw new VoiceMediaError('wrong_direction', 'produce needs a send transport');
    const { kind, rtpParameters, source } = options;
    if (SOURCE_KIND[source] === undefined) throw new VoiceMediaError('bad_request', 'source must be mic, webcam or screen');
    if (SOURCE_KIND[source] !== kind) throw new VoiceMediaError('bad_request', `a ${source} producer is ${SOURCE_KIND[source]}, not ${kind}`);
    if (peer.producers.has(source)) throw new VoiceMediaError('already_producing', `${source} is already being produced`);
    const selfMuted = options.paused ?? false;
    const producer = await asBadRequest(
      transport.produce({ kind, rtpParameters, paused: selfMuted || (source === 'mic' && peer.serverMuted), appData: { userId, source } }),
    );
    peer.producers.set(source, producer);
    if (source === 'mic') peer.selfMuted = selfMuted;
    producer.observer.once('close', () => {
      if (peer.producers.get(source) === producer) peer.producers.delete(source);
      if (source === 'mic') this.stopSpeaking(userId);
    });
    if (kind === 'audio') await peer.router.audioObserver.addProducer({ producerId: producer.id });
    await this.addProducer({ id: producer.id, userId, source, kind, origin: peer.router }, producer);
    return producer.id;
  }

  /**
   * A producer enters the room (a local peer's, or one that came over a cluster link): it is piped to every other
   * router of the room, consumed by every peer with a recv transport, and offered to the cluster.
   */
  async addProducer(info: ProducerInfo, producer: ms.Producer): Promise<void> {
    this.producers.set(info.id, info);
    this.holdInstance(info.origin, producer);
    producer.observer.once('close', () => {
      if (this.producers.get(info.id) === info) this.producers.delete(info.id);
    });
    await this.consumeOn(info.origin, info);
    await Promise.all(this.routers.map((rr) => this.pipe(info, rr)));
    await this.deps.onProducer?.(this, info);
  }

  async pauseProducer(userId: string, source: MediaSource): Promise<void> {
    const producer = this.producer(userId, source);
    if (source === 'mic') {
      this.peer(userId).selfMuted = true;
      this.stopSpeaking(userId);
    }
    await producer.pause();
  }

  async resumeProducer(userId: string, source: MediaSource): Promise<void> {
    const peer = this.peer(userId);
    const producer = this.producer(userId, source);
    if (source === 'mic') {
      if (peer.serverMuted) throw new VoiceMediaError('server_muted', 'a moderator muted you');
      peer.selfMuted = false;
    }
    await producer.resume();
  }

  closeProducer(userId: string, source: MediaSource): void {
    this.producer(userId, source).close();
  }

  async setServerMuted(userId: string, muted: boolean): Promise<void> {
    const peer = this.peer(userId);
    peer.serverMuted = muted;
    const mic = peer.producers.get('mic');
    if (muted) this.stopSpeaking(userId);
    if (!mic) return;
    if (muted) await mic.pause();
    else if (!peer.selfMuted) await mic.resume();
  }

  // ── consumers ───────────────────────────────────────────────────────────────────────────────────────────────

  private async consumeAllFor(peer: Peer): Promise<void> {
    if (this.peers.get(peer.userId) !== peer) return;
    for (const info of [...this.producers.values()]) await this.consume(peer, info);
  }

  /** Consumers of `info` for every peer on `router` that should have one. */
  private async consumeOn(router: RoomRouter, info: ProducerInfo): Promise<void> {
    await Promise.all([...router.peers].map((userId) => this.consume(this.peers.get(userId), info)));
  }

  private async consume(peer: Peer | undefined, info: ProducerInfo): Promise<void> {
    if (!peer?.recv || peer.recv.closed || info.userId === peer.userId) return;
    for (const { consumer } of peer.consumers.values()) if (consumer.producerId === info.id) return;
    const local = peer.router.producers.get(info.id);
    if (!local || local.closed) return; // not piped here yet: consumed once it is
    if (!peer.router.router.canConsume({ producerId: info.id, rtpCapabilities: peer.rtpCapabilities })) {
      this.deps.logger.warn({ channelId: this.channelId, userId: peer.userId, producerId: info.id }, 'client cannot consume this producer (codecs)');
      return;
    }
    const consumer = await peer.recv.consume({
      producerId: info.id,
      rtpCapabilities: peer.rtpCapabilities,
      paused: true,
      appData: { userId: peer.userId, producerUserId: info.userId, source: info.source },
    });
    const entry: PeerConsumer = { consumer, wanted: false };
    peer.consumers.set(consumer.id, entry);
    const { channelId } = this;
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      if (this.peers.get(peer.userId) === peer) this.deps.emit('consumerClosed', channelId, peer.userId, consumer.id);
    });
    consumer.on('producerpause', () => this.deps.emit('producerPaused', channelId, peer.userId, consumer.id));
    consumer.on('producerresume', () => this.deps.emit('producerResumed', channelId, peer.userId, consumer.id));
    const params: ConsumerParams = {
      id: consumer.id,
      producerId: info.id,
      producerUserId: info.userId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      source: info.source,
      paused: true,
      producerPaused: consumer.producerPaused,
      type: consumer.type,
    };
    this.deps.emit('consumerCreated', channelId, peer.userId, params);
  }

  async resumeConsumer(userId: string, consumerId: string): Promise<void> {
    const peer = this.peer(userId);
    const entry = this.consumer(peer, consumerId);
    entry.wanted = true;
    if (!peer.deafened) await entry.consumer.resume();
  }

  async setPreferredLayers(userId: string, consumerId: string, layers: ms.ConsumerLayers): Promise<void> {
    const { consumer } = this.consumer(this.peer(userId), consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') throw new VoiceMediaError('bad_request', 'only simulcast and SVC consumers have layers');
    await asBadRequest(consumer.setPreferredLayers(layers));
  }

  async setDeafened(userId: string, deafened: boolean): Promise<void> {
    const peer = this.peer(userId);
    peer.deafened = deafened;
    await Promise.all(
      [...peer.consumers.values()].map(({ consumer, wanted }) => (deafened ? consumer.pause() : wanted ? consumer.resume() : undefined)),
    );
  }

  // ── speaking ────────────────────────────────────────────────────────────────────────────────────────────────

  private observeSpeaking(userIds: Set<string>): void {
    this.speaking.observe(userIds, Date.now());
    this.flushSpeaking();
  }

  private flushSpeaking(): void {
    clearTimeout(this.speakingTimer);
    if (this.closed) return;
    for (const { userId, speaking } of this.speaking.flush(Date.now())) {
      if (this.peers.has(userId)) this.deps.emit('speaking', this.channelId, userId, speaking);
    }
    const next = this.speaking.nextDue();
    if (next !== undefined) this.speakingTimer = setTimeout(() => this.flushSpeaking(), Math.max(0, next - Date.now()));
  }

  /** The user's mic stopped: if they were reported speaking, they stop now (no debounce for a definite stop). */
  private stopSpeaking(userId: string): void {
    if (this.speaking.forget(userId)) this.deps.emit('speaking', this.channelId, userId, false);
  }

  // ── lookups ─────────────────────────────────────────────────────────────────────────────────────────────────

  private peer(userId: string): Peer {
    const peer = this.peers.get(userId);
    if (!peer) throw new VoiceMediaError('not_joined', `user ${userId} has not joined the voice channel ${this.channelId}`);
    return peer;
  }

  private transport(userId: string, transportId: string) {
    const entry = this.peer(userId).transports.get(transportId);
    if (!entry) throw new VoiceMediaError('transport_not_found', `no transport ${transportId}`);
    return entry;
  }

  private producer(userId: string, source: MediaSource): ms.Producer {
    const producer = this.peer(userId).producers.get(source);
    if (!producer) throw new VoiceMediaError('producer_not_found', `no ${source} producer`);
    return producer;
  }

  private consumer(peer: Peer, consumerId: string): PeerConsumer {
    const entry = peer.consumers.get(consumerId);
    if (!entry) throw new VoiceMediaError('consumer_not_found', `no consumer ${consumerId}`);
    return entry;
  }

  private logFailure(what: string, error: unknown): void {
    if (!this.closed) this.deps.logger.warn({ channelId: this.channelId, err: error }, `voice room: ${what} failed`);
  }

  async peerStats(userId: string): Promise<PeerStats> {
    const peer = this.peer(userId);
    const count = (stats: Array<{ type: string; packetCount: number; byteCount: number }>, type: string) => ({
      packets: stats.filter((s) => s.type === type).reduce((sum, s) => sum + s.packetCount, 0),
      bytes: stats.filter((s) => s.type === type).reduce((sum, s) => sum + s.byteCount, 0),
    });
    return {
      producers: await Promise.all(
        [...peer.producers].map(async ([source, p]) => ({ producerId: p.id, source, ...count(await p.getStats(), 'inbound-rtp') })),
      ),
      consumers: await Promise.all(
        [...peer.consumers.values()].map(async ({ consumer: c }) => ({
          consumerId: c.id,
          producerId: c.producerId,
          ...count(await c.getStats(), 'outbound-rtp'),
        })),
      ),
    };
  }

  stats(): RoomStats {
    return {
      channelId: this.channelId,
      homeNodeId: this.homeNodeId,
      peers: this.peers.size,
      producers: this.producers.size,
      routers: this.routers.map((r) => ({ routerId: r.router.id, worker: r.slot.index, consumers: r.consumers, peers: r.peers.size })),
      links: [...this.links],
    };
  }
}

/** Any error as a VoiceMediaError: mediasoup's own (a worker gone, an object closed meanwhile) are 'unavailable'. */
export function asMediaError(error: unknown, code: VoiceMediaErrorCode = 'unavailable'): VoiceMediaError {
  if (error instanceof VoiceMediaError) return error;
  const name = error instanceof Error ? error.name : '';
  return new VoiceMediaError(name === 'UnsupportedError' ? 'unsupported' : code, error instanceof Error ? error.message : String(error));
}

/** mediasoup's validation errors (TypeError, UnsupportedError...) on what the client sent are its bad parameters. */
async function asBadRequest<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw asMediaError(error, 'bad_request');
  }
}
