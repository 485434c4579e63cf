// VoiceMedia: the media layer of one voice process (see types.ts for the contract, README.md for the picture).
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { types as ms } from 'mediasoup';
import { VoiceCluster } from '../cluster/cluster.ts';
import { asMediaError, Room, type RoomDeps } from './room.ts';
import { DEFAULT_SPEAKING } from './speaking.ts';
import {
  VoiceMediaError,
  type MediaSource,
  type PeerStats,
  type PlainTransportParams,
  type RoomSettings,
  type RoomStats,
  type TransportDirection,
  type VoiceMediaApi,
  type VoiceMediaEvents,
  type VoiceMediaOptions,
  type WebRtcTransportParams,
  type WorkerStats,
} from './types.ts';
import { WorkerPool, type WorkerSlot } from './worker-pool.ts';

/** A room opened (routerRtpCapabilities) but never joined closes after this long. */
const IDLE_ROOM_MS = 30_000;
export const DEFAULT_MAX_CONSUMERS_PER_ROUTER = 500;

export class VoiceMedia extends EventEmitter<VoiceMediaEvents> implements VoiceMediaApi {
  readonly nodeId: string;
  private readonly rooms = new Map<string, Room>();
  private readonly opening = new Map<string, Promise<Room>>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private readonly deps: RoomDeps;
  private cluster: VoiceCluster | undefined;
  private closing = false;

  private constructor(
    private readonly options: VoiceMediaOptions,
    private readonly pool: WorkerPool,
  ) {
    super();
    this.nodeId = options.nodeId;
    this.deps = {
      pool,
      logger: options.logger,
      emit: (event, ...args) => (this.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args),
      listenIp: options.listenIp ?? '127.0.0.1',
      ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}),
      maxConsumersPerRouter: options.maxConsumersPerRouter ?? DEFAULT_MAX_CONSUMERS_PER_ROUTER,
      speaking: { ...DEFAULT_SPEAKING, ...options.speaking },
      onProducer: (room, info) => this.cluster?.forward(room, info),
    };
    pool.on('died', (slot) => this.onWorkerDied(slot));
  }

  static async start(options: VoiceMediaOptions): Promise<VoiceMedia> {
    const pool = await WorkerPool.start({
      size: options.workers ?? os.cpus().length,
      listenIp: options.listenIp ?? '127.0.0.1',
      ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}),
      ...(options.rtcPort ? { rtcPort: options.rtcPort } : {}),
      ...(options.workerBin ? { workerBin: options.workerBin } : {}),
      logLevel: options.workerLogLevel ?? 'warn',
      logger: options.logger,
    });
    const media = new VoiceMedia(options, pool);
    if (options.redis) {
      try {
        media.cluster = await VoiceCluster.start({
          redis: options.redis,
          prefix: options.redisPrefix ?? 'rn',
          nodeId: options.nodeId,
          address: options.announcedAddress ?? options.listenIp ?? '127.0.0.1',
          listenIp: options.listenIp ?? '127.0.0.1',
          heartbeatMs: options.heartbeatMs ?? 2000,
          logger: options.logger,
          load: () => pool.totalLoad(),
          rooms: {
            get: (channelId) => media.rooms.get(channelId),
            open: (channelId, settings) => media.openRoom(channelId, settings, true),
            all: () => [...media.rooms.values()],
            released: (room) => media.closeIfIdle(room),
          },
        });
      } catch (error) {
        await pool.close();
        throw error;
      }
    }
    return media;
  }

  // ── rooms ───────────────────────────────────────────────────────────────────────────────────────────────────

  /** This node's room for the channel, opened (and, in a cluster, linked to its home) if needed. */
  private async openRoom(channelId: string, settings: RoomSettings | undefined, asHome = false): Promise<Room> {
    if (this.closing) throw new VoiceMediaError('closed', 'voice media is closing');
    const existing = this.rooms.get(channelId);
    if (existing && !existing.closed) {
      if (settings) existing.settings = { ...existing.settings, ...settings };
      return existing;
    }
    let opening = this.opening.get(channelId);
    if (!opening) {
      opening = (async () => {
        const room = await Room.open(channelId, settings ?? {}, this.deps, this.nodeId).catch((error: unknown) => {
          throw asMediaError(error);
        });
        this.rooms.set(channelId, room);
        try {
          if (!asHome) await this.cluster?.attach(room);
        } catch (error) {
          this.closeRoom(room);
          throw asMediaError(error); // the home node could not be reached, or Redis
        }
        this.scheduleIdleClose(room);
        return room;
      })().finally(() => this.opening.delete(channelId));
      this.opening.set(channelId, opening);
    }
    return opening;
  }

  /** Runs fn in the channel's room queue (opening the room); a room that closed meanwhile is reopened once. */
  private async inRoom<T>(channelId: string, settings: RoomSettings | undefined, fn: (room: Room) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const room = await this.openRoom(channelId, settings);
      try {
        return await room.run(() => fn(room));
      } catch (error) {
        if (!(error instanceof VoiceMediaError && error.code === 'closed' && room.closed && !this.closing && attempt === 0)) throw error;
      }
    }
  }

  /** Runs fn in the room queue of a channel userId has joined here. */
  private inPeerRoom<T>(channelId: string, userId: string, fn: (room: Room) => T | Promise<T>): Promise<T> {
    const room = this.rooms.get(channelId);
    if (!room?.hasPeer(userId)) return Promise.reject(new VoiceMediaError('not_joined', `user ${userId} has not joined the voice channel ${channelId}`));
    return room.run(async () => fn(room));
  }

  private idle(room: Room): boolean {
    return room.peerCount === 0 && (room.homeNodeId !== this.nodeId || room.links.size === 0);
  }

  private scheduleIdleClose(room: Room): void {
    clearTimeout(this.idleTimers.get(room.channelId));
    const timer = setTimeout(() => this.closeIfIdle(room), IDLE_ROOM_MS);
    timer.unref();
    this.idleTimers.set(room.channelId, timer);
  }

  private closeIfIdle(room: Room): void {
    if (!room.closed && this.idle(room)) this.closeRoom(room);
  }

  private closeRoom(room: Room): void {
    if (this.rooms.get(room.channelId) === room) {
      this.rooms.delete(room.channelId);
      clearTimeout(this.idleTimers.get(room.channelId));
      this.idleTimers.delete(room.channelId);
    }
    this.cluster?.detach(room); // first: its links are told, not just dropped with the routers
    const userIds = room.close();
    for (const userId of userIds) this.emit('peerRemoved', room.channelId, userId, 'closed');
  }

  private onWorkerDied(slot: WorkerSlot): void {
    const index = slot.index;
    for (const room of this.rooms.values()) {
      void room
        .run(() => room.dropWorker(slot))
        .then((userIds) => {
          if (userIds.length === 0) return;
          this.options.logger.warn({ channelId: room.channelId, worker: index, userIds }, 'voice room lost a worker: participants must reconnect');
          this.emit('reconnectRequired', room.channelId, userIds);
          for (const userId of userIds) this.emit('peerRemoved', room.channelId, userId, 'workerDied');
          if (this.idle(room)) this.scheduleIdleClose(room); // kept a while for its participants to come back
        })
        .catch((error) => this.options.logger.error({ channelId: room.channelId, err: error }, 'could not recreate a voice room'));
    }
  }

  // ── the API ─────────────────────────────────────────────────────────────────────────────────────────────────

  async routerRtpCapabilities(channelId: string, settings?: RoomSettings): Promise<ms.RtpCapabilities> {
    return (await this.openRoom(channelId, settings)).rtpCapabilities;
  }

  async join(channelId: string, userId: string, options: { rtpCapabilities: ms.RtpCapabilities; settings?: RoomSettings }): Promise<void> {
    await this.inRoom(channelId, options.settings, (room) => room.join(userId, options.rtpCapabilities));
  }

  async createWebRtcTransport(channelId: string, userId: string, direction: TransportDirection): Promise<WebRtcTransportParams> {
    assertDirection(direction);
    return this.inPeerRoom(channelId, userId, (room) => room.createWebRtcTransport(userId, direction));
  }

  connectTransport(channelId: string, userId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.connectWebRtcTransport(userId, transportId, dtlsParameters));
  }

  async createPlainTransport(
    channelId: string,
    userId: string,
    direction: TransportDirection,
    options: { comedia?: boolean } = {},
  ): Promise<PlainTransportParams> {
    assertDirection(direction);
    return this.inPeerRoom(channelId, userId, (room) => room.createPlainTransport(userId, direction, options.comedia ?? true));
  }

  connectPlainTransport(channelId: string, userId: string, transportId: string, remote: { ip: string; port: number }): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.connectPlainTransport(userId, transportId, remote));
  }

  async produce(
    channelId: string,
    userId: string,
    transportId: string,
    options: { kind: ms.MediaKind; rtpParameters: ms.RtpParameters; source: MediaSource; paused?: boolean },
  ): Promise<{ producerId: string }> {
    return { producerId: await this.inPeerRoom(channelId, userId, (room) => room.produce(userId, transportId, options)) };
  }

  resumeConsumer(channelId: string, userId: string, consumerId: string): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.resumeConsumer(userId, consumerId));
  }

  setPreferredLayers(channelId: string, userId: string, consumerId: string, layers: ms.ConsumerLayers): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.setPreferredLayers(userId, consumerId, layers));
  }

  pauseProducer(channelId: string, userId: string, source: MediaSource): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.pauseProducer(userId, source));
  }

  resumeProducer(channelId: string, userId: string, source: MediaSource): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.resumeProducer(userId, source));
  }

  closeProducer(channelId: string, userId: string, source: MediaSource): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.closeProducer(userId, source));
  }

  setDeafened(channelId: string, userId: string, deafened: boolean): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.setDeafened(userId, deafened));
  }

  setServerMuted(channelId: string, userId: string, muted: boolean): Promise<void> {
    return this.inPeerRoom(channelId, userId, (room) => room.setServerMuted(userId, muted));
  }

  async leave(channelId: string, userId: string): Promise<void> {
    const room = this.rooms.get(channelId);
    if (!room?.hasPeer(userId)) return;
    await room.run(async () => {
      room.leave(userId);
    });
    this.closeIfIdle(room);
  }

  hasPeer(channelId: string, userId: string): boolean {
    return this.rooms.get(channelId)?.hasPeer(userId) ?? false;
  }

  roomStats(): RoomStats[] {
    return [...this.rooms.values()].map((room) => room.stats());
  }

  peerStats(channelId: string, userId: string): Promise<PeerStats> {
    return this.inPeerRoom(channelId, userId, (room) => room.peerStats(userId));
  }

  workerStats(): Promise<WorkerStats[]> {
    return this.pool.stats();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const room of [...this.rooms.values()]) this.closeRoom(room);
    await this.cluster?.close();
    await this.pool.close();
  }
}

function assertDirection(direction: string): asserts direction is TransportDirection {
  if (direction !== 'send' && direction !== 'recv') throw new VoiceMediaError('bad_request', "direction must be 'send' or 'recv'");
}
