// The voice cluster: several voice processes (nodes) sharing rooms.
//
// Every node registers itself and its load (producers + consumers) in Redis with a heartbeat (registry.ts). A room
// (voice channel) has one home node: the first node to open it claims it for the least-loaded live node, atomically.
// A node whose client joins a room homed elsewhere opens the room locally too (its own routers) and links it to the
// home with a pair of PipeTransports (SRTP, RTX): it creates its end, asks the home over Redis (bus.ts) to create
// and connect the other, and connects its own to the reply. The home is the hub: over each link it sends every
// producer of the room that did not come from that link (its own participants', and those of other linked nodes);
// a non-home node sends its own participants'. Sending a producer = pipeTransport.consume() here, then a message
// with the RTP parameters, on which the other side does pipeTransport.produce() with the same id and treats it like
// a local producer (piped to its routers, consumed by its participants). Pause, resume and close follow the same way.
//
// Failures: a link whose far node stops heartbeating is closed (its producers leave the room); if that node was the
// home, the room is claimed again (possibly by this node) and re-linked. A worker death that takes the router of a
// link with it closes the link, and the non-home side links again.
import type { Redis } from 'ioredis';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { ProducerInfo, Room, RoomRouter } from '../media/room.ts';
import { VoiceMediaError, type MediaSource, type RoomSettings } from '../media/types.ts';
import { ClusterBus, type BusMessage } from './bus.ts';
import { NodeRegistry } from './registry.ts';

interface Link {
  readonly nodeId: string;
  readonly room: Room;
  readonly router: RoomRouter;
  readonly transport: ms.PipeTransport;
  /** Producers sent to the far node: our pipe consumers. */
  readonly outgoing: Map<string, ms.Consumer>;
  /** Producers received from it: our pipe producers. */
  readonly incoming: Map<string, ms.Producer>;
  closed: boolean;
}

interface LinkEnd {
  ip: string;
  port: number;
  srtp: ms.SrtpParameters;
}

/** What the cluster needs of VoiceMedia's rooms. */
export interface ClusterRooms {
  get(channelId: string): Room | undefined;
  /** Opens the room here as its home (no linking). */
  open(channelId: string, settings: RoomSettings): Promise<Room>;
  all(): Room[];
  /** A link of the room closed: close the room if nothing else keeps it open. */
  released(room: Room): void;
}

export interface VoiceClusterOptions {
  redis: Redis;
  prefix: string;
  nodeId: string;
  /** Where other nodes reach this one's pipe transports. */
  address: string;
  listenIp: string;
  heartbeatMs: number;
  logger: Logger;
  load: () => number;
  rooms: ClusterRooms;
}

export class VoiceCluster {
  /** channelId → far nodeId → link. */
  private readonly links = new Map<string, Map<string, Link>>();
  private readonly registry: NodeRegistry;
  private bus!: ClusterBus;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(private readonly options: VoiceClusterOptions) {
    this.registry = new NodeRegistry(options.redis, options.prefix, { nodeId: options.nodeId, address: options.address }, options.heartbeatMs * 3);
  }

  static async start(options: VoiceClusterOptions): Promise<VoiceCluster> {
    const cluster = new VoiceCluster(options);
    cluster.bus = await ClusterBus.start(options.redis, options.prefix, options.nodeId, options.logger, (m) => cluster.handle(m));
    await cluster.registry.heartbeat(options.load(), []);
    cluster.heartbeat = setInterval(() => {
      cluster.beating = cluster.beat().catch((error) => options.logger.warn({ err: error }, 'voice cluster heartbeat failed'));
    }, options.heartbeatMs);
    return cluster;
  }

  private get nodeId(): string {
    return this.options.nodeId;
  }

  // ── what VoiceMedia calls ───────────────────────────────────────────────────────────────────────────────────

  /** A room was just opened here for a local participant: find its home, and link to it if it is elsewhere. */
  async attach(room: Room): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const home = await this.registry.resolveHome(room.channelId);
      room.homeNodeId = home;
      if (home === this.nodeId) return;
      try {
        await room.run(() => this.linkTo(room, home));
        return;
      } catch (error) {
        // The home may have closed the room between our lookup and the request ('moved'): look again.
        if (attempt >= 3 || !(error instanceof VoiceMediaError) || error.code === 'closed') throw error;
      }
    }
  }

  /** A producer entered the room: send it over every link it did not come from (room queue). */
  forward(room: Room, info: ProducerInfo): Promise<void> | undefined {
    const links = this.links.get(room.channelId);
    if (!links) return undefined;
    return Promise.all([...links.values()].map((link) => this.send(link, info))).then(() => undefined);
  }

  /** The room closed here: unlink it everywhere and give up its home. */
  detach(room: Room): void {
    for (const link of this.linksOf(room)) this.closeLink(link, true);
    if (room.homeNodeId === this.nodeId && !this.closed) {
      this.registry.release(room.channelId).catch((error) => this.options.logger.warn({ err: error }, 'voice cluster: release failed'));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    await this.beating;
    for (const room of this.options.rooms.all()) this.detach(room);
    await Promise.all(this.options.rooms.all().filter((r) => r.homeNodeId === this.nodeId).map((r) => this.registry.release(r.channelId)));
    await this.registry.unregister();
    await this.bus.close();
  }

  // ── links ───────────────────────────────────────────────────────────────────────────────────────────────────

  private linksOf(room: Room): Link[] {
    return [...(this.links.get(room.channelId)?.values() ?? [])].filter((l) => l.room === room);
  }

  private link(channelId: string, nodeId: string): Link | undefined {
    return this.links.get(channelId)?.get(nodeId);
  }

  private async createEnd(room: Room): Promise<{ router: RoomRouter; transport: ms.PipeTransport }> {
    const router = room.leastConsumedRouter();
    if (!router) throw new VoiceMediaError('unavailable', 'the room has no router');
    const { listenIp, address } = this.options;
    const transport = await router.router.createPipeTransport({
      listenInfo: { protocol: 'udp', ip: listenIp, ...(address !== listenIp ? { announcedAddress: address } : {}) },
      enableSrtp: true,
      enableRtx: true,
      appData: { channelId: room.channelId },
    });
    return { router, transport };
  }

  private end(transport: ms.PipeTransport): LinkEnd {
    return { ip: this.options.address, port: transport.tuple.localPort, srtp: transport.srtpParameters! };
  }

  /** This node's side of a new link to the room's home (room queue). */
  private async linkTo(room: Room, home: string): Promise<void> {
    if (this.link(room.channelId, home)) return;
    const { router, transport } = await this.createEnd(room);
    try {
      const far = await this.bus.request<LinkEnd>(home, { op: 'link', channelId: room.channelId, settings: room.settings, ...this.end(transport) });
      await transport.connect({ ip: far.ip, port: far.port, srtpParameters: far.srtp });
    } catch (error) {
      transport.close();
      throw error;
    }
    await this.register(room, home, router, transport);
    this.options.logger.info({ channelId: room.channelId, home }, 'voice room linked to its home node');
  }

  /** The home's side of a link a node asked for. */
  private async accept(message: BusMessage): Promise<LinkEnd> {
    const channelId = String(message.channelId);
    const holder = await this.registry.claim(channelId, this.nodeId);
    if (holder !== this.nodeId) throw new VoiceMediaError('unavailable', `the room moved to ${holder}`);
    const room = await this.options.rooms.open(channelId, (message.settings ?? {}) as RoomSettings);
    room.homeNodeId = this.nodeId;
    return room.run(async () => {
      const stale = this.link(channelId, message.from);
      if (stale) this.closeLink(stale, false);
      const { router, transport } = await this.createEnd(room);
      try {
        const far = message as unknown as LinkEnd;
        await transport.connect({ ip: far.ip, port: far.port, srtpParameters: far.srtp });
        await this.register(room, message.from, router, transport);
      } catch (error) {
        transport.close();
        throw error;
      }
      return this.end(transport);
    });
  }

  private async register(room: Room, nodeId: string, router: RoomRouter, transport: ms.PipeTransport): Promise<void> {
    const link: Link = { nodeId, room, router, transport, outgoing: new Map(), incoming: new Map(), closed: false };
    let links = this.links.get(room.channelId);
    if (!links) this.links.set(room.channelId, (links = new Map()));
    links.set(nodeId, link);
    room.links.add(nodeId);
    // Closed under us (a worker death took the router): tell the far node, and link again if we are not the home.
    transport.observer.once('close', () => {
      if (link.closed) return;
      this.closeLink(link, true);
      if (room.homeNodeId !== this.nodeId) this.relink(room);
    });
    for (const info of [...room.producers.values()]) await this.send(link, info);
  }

  private closeLink(link: Link, notify: boolean): void {
    if (link.closed) return;
    link.closed = true;
    const { channelId } = link.room;
    const links = this.links.get(channelId);
    if (links?.get(link.nodeId) === link) {
      links.delete(link.nodeId);
      if (links.size === 0) this.links.delete(channelId);
      link.room.links.delete(link.nodeId);
    }
    link.transport.close(); // its producers leave the room, its consumers stop
    if (notify) this.bus.send(link.nodeId, { op: 'unlink', channelId });
  }

  /**
   * Links the room again, later (outside the current room operation). Even with nobody left here (a worker death
   * dropped them): they are about to reconnect, and an idle room closes by itself.
   */
  private relink(room: Room): void {
    setImmediate(() => {
      if (room.closed || this.closed) return;
      this.attach(room).catch((error) => this.options.logger.error({ channelId: room.channelId, err: error }, 'voice cluster: relink failed'));
    });
  }

  /** Sends one producer of the room over a link (unless it came from there). */
  private async send(link: Link, info: ProducerInfo): Promise<void> {
    if (link.closed || info.fromNode === link.nodeId || link.outgoing.has(info.id) || !link.router.producers.has(info.id)) return;
    const consumer = await link.transport.consume({ producerId: info.id });
    link.outgoing.set(info.id, consumer);
    const channelId = link.room.channelId;
    const tell = (op: string) => {
      if (!link.closed) this.bus.send(link.nodeId, { op, channelId, producerId: info.id });
    };
    consumer.observer.on('pause', () => tell('pause'));
    consumer.observer.on('resume', () => tell('resume'));
    consumer.observer.once('close', () => {
      link.outgoing.delete(info.id);
      tell('close');
    });
    this.bus.send(link.nodeId, {
      op: 'producer',
      channelId,
      producerId: info.id,
      userId: info.userId,
      source: info.source,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.producerPaused,
    });
  }

  /** A producer arrived over a link: it joins the room here like a local one. */
  private async receive(link: Link, message: BusMessage): Promise<void> {
    const id = String(message.producerId);
    const source = message.source as MediaSource;
    const producer = await link.transport.produce({
      id,
      kind: message.kind as ms.MediaKind,
      rtpParameters: message.rtpParameters as ms.RtpParameters,
      paused: Boolean(message.paused),
      appData: { userId: message.userId, source, fromNode: link.nodeId },
    });
    link.incoming.set(id, producer);
    producer.observer.once('close', () => link.incoming.delete(id));
    await link.room.addProducer({ id, userId: String(message.userId), source, kind: producer.kind, origin: link.router, fromNode: link.nodeId }, producer);
  }

  // ── messages from other nodes ───────────────────────────────────────────────────────────────────────────────

  /** Called in arrival order; room messages are queued on their room synchronously, so they apply in that order. */
  private handle(message: BusMessage): Promise<unknown> | undefined {
    if (message.op === 'link') return this.accept(message);
    const room = this.options.rooms.get(String(message.channelId));
    if (!room || room.closed) return undefined;
    return room.run(async () => {
      const link = this.link(room.channelId, message.from);
      if (!link || link.room !== room) return;
      const incoming = link.incoming.get(String(message.producerId));
      switch (message.op) {
        case 'producer':
          return this.receive(link, message);
        case 'pause':
          return incoming?.pause();
        case 'resume':
          return incoming?.resume();
        case 'close':
          return incoming?.close();
        case 'unlink':
          this.closeLink(link, false);
          if (room.homeNodeId !== this.nodeId) this.relink(room);
          setImmediate(() => this.options.rooms.released(room));
          return;
      }
    });
  }

  private async beat(): Promise<void> {
    if (this.closed) return;
    const rooms = this.options.rooms.all();
    await this.registry.heartbeat(
      this.options.load(),
      rooms.filter((r) => r.homeNodeId === this.nodeId).map((r) => r.channelId),
    );
    const far = [...new Set([...this.links.values()].flatMap((links) => [...links.keys()]))];
    const alive = await this.registry.alive(far);
    for (const nodeId of far) {
      if (alive.has(nodeId)) continue;
      this.options.logger.warn({ nodeId }, 'voice node stopped heartbeating: closing its links');
      for (const room of rooms) {
        const link = this.link(room.channelId, nodeId);
        if (!link) continue;
        void room
          .run(async () => this.closeLink(link, false))
          .then(() => (room.homeNodeId === nodeId ? this.relink(room) : this.options.rooms.released(room)));
      }
    }
  }
}
