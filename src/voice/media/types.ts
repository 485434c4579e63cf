// The media layer's public contract: what signalling (src/voice/signalling) codes against.
//
// One VoiceMedia per voice process. It owns the mediasoup workers of this process (one per core, each with a
// WebRtcServer: one UDP + one TCP port serve every WebRTC transport of that worker), a "room" per voice channel
// (one router, or several on different workers once the room outgrows one: linked with router.pipeToRouter), and,
// when given Redis, its part of the voice cluster (src/voice/cluster): rooms spanning processes are linked with
// PipeTransports. Signalling never sees workers, routers or nodes: it names a channel and a user.
//
// The usual sequence for one client (mediasoup-client on the other end):
//   routerRtpCapabilities(channelId, settings)   → device.load({routerRtpCapabilities})
//   join(channelId, userId, {rtpCapabilities: device.rtpCapabilities, settings})
//   createWebRtcTransport(channelId, userId, 'send') → device.createSendTransport(params)
//     sendTransport 'connect' → connectTransport(...dtlsParameters); 'produce' → produce(...) → {producerId}
//   createWebRtcTransport(channelId, userId, 'recv') → device.createRecvTransport(params)
//     from then on 'consumerCreated' events arrive (right after this call resolves, for the producers already in the
//     room, and whenever a new one appears): recvTransport.consume(params) → (first time: 'connect' →
//     connectTransport) → resumeConsumer(consumerId). Consumers are created paused, as mediasoup recommends.
//   pauseProducer / resumeProducer / closeProducer (self mute, video off, stop sharing), setDeafened, leave.
//
// Every method rejects with a VoiceMediaError (code + message) for a bad request; signalling maps it to its error
// reply. Nothing here checks permissions or maxMembers for the domain: that is the voice commands' job
// (src/commands/voice); media refuses only what it cannot do.
import type { types as ms } from 'mediasoup';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type MediaSource = 'mic' | 'webcam' | 'screen';
export type TransportDirection = 'send' | 'recv';
export type VideoQuality = 'auto' | '720p' | '1080p';

/** A voice channel's settings (channels.settings), as far as media uses them. */
export interface RoomSettings {
  /** Audio bitrate in bits/s (opus maxaveragebitrate; also sizes the send transports' maxIncomingBitrate). */
  bitrate?: number;
  /** Video channels: caps the incoming video bitrate of each send transport. */
  videoQuality?: VideoQuality;
  /** Safety net only (the domain enforces it): a join beyond it is refused with 'room_full'. */
  maxMembers?: number;
}

export interface VoiceMediaOptions {
  /** This process's id in the cluster (and in logs). */
  nodeId: string;
  logger: Logger;
  /** mediasoup workers to run; default os.cpus().length. */
  workers?: number;
  /** IP the WebRtcServers, plain and pipe transports listen on; default 127.0.0.1. */
  listenIp?: string;
  /** Address announced in ICE candidates (and to other voice nodes) when listenIp is not reachable as is (NAT, 0.0.0.0). */
  announcedAddress?: string;
  /** First WebRtcServer port: worker i listens on rtcPort + i (UDP and TCP). 0/undefined: free ports picked by the OS. */
  rtcPort?: number;
  /** Consumers on one router beyond which new participants of that room go to a router on another worker. Default 500. */
  maxConsumersPerRouter?: number;
  /** The mediasoup-worker binary; default MEDIASOUP_WORKER_BIN or mediasoup's own. */
  workerBin?: string;
  /** mediasoup worker log level; default 'warn'. */
  workerLogLevel?: ms.WorkerLogLevel;
  /** Join the voice cluster through this Redis (a duplicate connection is made for pub/sub). Without it: standalone. */
  redis?: Redis;
  /** Prefix of the cluster's Redis keys and channels (REDIS_PREFIX); default 'rn'. */
  redisPrefix?: string;
  /** Cluster heartbeat period; a node silent for 3 periods is considered dead. Default 2000 ms. */
  heartbeatMs?: number;
  /** Speaking detection tuning (see SpeakingDebouncer). */
  speaking?: Partial<SpeakingOptions>;
}

export interface SpeakingOptions {
  /** dBov above which a mic counts as speaking (AudioLevelObserver threshold), -127..0. Default -55. */
  thresholdDb: number;
  /** AudioLevelObserver interval, ms. Default 200. */
  intervalMs: number;
  /** A new state must hold this long before it is reported. Default 300 ms. */
  holdMs: number;
  /** At least this long between two reports for one user (so at most 1000/minGapMs changes per second). Default 500 ms. */
  minGapMs: number;
}

/** What mediasoup-client's device.createSendTransport/createRecvTransport takes. */
export interface WebRtcTransportParams {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}

/** A PlainTransport (RTP without ICE/DTLS: tests, benchmarks, bots, recorders): where to send RTP to it. */
export interface PlainTransportParams {
  id: string;
  ip: string;
  port: number;
}

/** What mediasoup-client's recvTransport.consume takes (plus who and what it is). */
export interface ConsumerParams {
  id: string;
  producerId: string;
  producerUserId: string;
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  source: MediaSource;
  /** The consumer itself: always true on creation (resume it once the client is ready). */
  paused: boolean;
  /** The producer is paused (muted / video off) at creation time. */
  producerPaused: boolean;
  /** 'simple', 'simulcast' or 'svc': simulcast consumers accept setPreferredLayers. */
  type: ms.ConsumerType;
}

export type PeerRemovedReason = 'left' | 'workerDied' | 'closed';

/** Events of VoiceMedia (a typed EventEmitter). userId is always the local participant concerned. */
export interface VoiceMediaEvents {
  /** A consumer was created (paused) for userId: send the params to that client. */
  consumerCreated: [channelId: string, userId: string, consumer: ConsumerParams];
  /** userId's consumer is gone (its producer closed or left): the client closes it. */
  consumerClosed: [channelId: string, userId: string, consumerId: string];
  /** The producer behind userId's consumer was paused / resumed (the other side muted, stopped video...). */
  producerPaused: [channelId: string, userId: string, consumerId: string];
  producerResumed: [channelId: string, userId: string, consumerId: string];
  /** Debounced speaking state of userId's mic (AudioLevelObserver). Only for participants of this node. */
  speaking: [channelId: string, userId: string, speaking: boolean];
  /**
   * These participants lost their media (the worker serving them died). Their media state here is gone; the room is
   * already usable again: the client redoes the handshake (routerRtpCapabilities, join, transports, produce).
   * Their session in the event store is untouched.
   */
  reconnectRequired: [channelId: string, userIds: string[]];
  /** A participant no longer exists in media (after leave, a worker death, or close). */
  peerRemoved: [channelId: string, userId: string, reason: PeerRemovedReason];
}

export type VoiceMediaErrorCode =
  | 'bad_request' // malformed parameters (rtpParameters, dtlsParameters, ...)
  | 'not_joined' // userId has not joined channelId here
  | 'transport_not_found'
  | 'wrong_direction' // produce on a recv transport, ...
  | 'producer_not_found' // pause/resume/close of a source that is not being produced
  | 'consumer_not_found'
  | 'already_producing' // that source is already being produced (close it first)
  | 'server_muted' // the mic is server-muted: it cannot be unmuted by its owner
  | 'room_full' // maxMembers
  | 'unsupported' // rtpCapabilities/codecs the router cannot use
  | 'unavailable' // no live worker, or the room's home node cannot be reached
  | 'closed'; // VoiceMedia is closing

export class VoiceMediaError extends Error {
  constructor(
    readonly code: VoiceMediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VoiceMediaError';
  }
}

export interface RoomStats {
  channelId: string;
  /** The cluster node this room lives on (this node when standalone). */
  homeNodeId: string;
  peers: number;
  producers: number;
  /** Routers of this room on this node, with the worker and the number of consumers of each. */
  routers: Array<{ routerId: string; worker: number; consumers: number; peers: number }>;
  /** Other voice nodes this room is linked with (PipeTransports). */
  links: string[];
}

/** RTP counters of one participant (mediasoup getStats): what it sends in, and what each of its consumers sends out. */
export interface PeerStats {
  producers: Array<{ producerId: string; source: MediaSource; packets: number; bytes: number }>;
  consumers: Array<{ consumerId: string; producerId: string; packets: number; bytes: number }>;
}

export interface WorkerStats {
  index: number;
  pid: number;
  /** Producers + consumers on this worker: what placement balances. */
  load: number;
  routers: number;
  /** Cumulative CPU time of the worker process (getrusage), ms. */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** WebRtcServer ports (UDP, TCP). */
  udpPort: number;
  tcpPort: number;
}

/** The methods of VoiceMedia (src/voice/media/voice-media.ts). */
export interface VoiceMediaApi {
  readonly nodeId: string;
  /** The room's router RTP capabilities (the same for every router of a room); opens the room if needed. */
  routerRtpCapabilities(channelId: string, settings?: RoomSettings): Promise<ms.RtpCapabilities>;
  /** userId enters the room with its device's capabilities; joining again replaces its previous media (a reconnect). */
  join(channelId: string, userId: string, options: { rtpCapabilities: ms.RtpCapabilities; settings?: RoomSettings }): Promise<void>;
  createWebRtcTransport(channelId: string, userId: string, direction: TransportDirection): Promise<WebRtcTransportParams>;
  connectTransport(channelId: string, userId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void>;
  /** comedia (send only): the transport learns where RTP comes from. A recv one sends to where connectPlainTransport says. */
  createPlainTransport(channelId: string, userId: string, direction: TransportDirection, options?: { comedia?: boolean }): Promise<PlainTransportParams>;
  connectPlainTransport(channelId: string, userId: string, transportId: string, remote: { ip: string; port: number }): Promise<void>;
  produce(
    channelId: string,
    userId: string,
    transportId: string,
    options: { kind: ms.MediaKind; rtpParameters: ms.RtpParameters; source: MediaSource; paused?: boolean },
  ): Promise<{ producerId: string }>;
  resumeConsumer(channelId: string, userId: string, consumerId: string): Promise<void>;
  /** Simulcast/SVC consumers: which layers this client wants (the SFU forwards the best available up to them). */
  setPreferredLayers(channelId: string, userId: string, consumerId: string, layers: ms.ConsumerLayers): Promise<void>;
  pauseProducer(channelId: string, userId: string, source: MediaSource): Promise<void>;
  /** Rejects with 'server_muted' for the mic while the user is server-muted. */
  resumeProducer(channelId: string, userId: string, source: MediaSource): Promise<void>;
  closeProducer(channelId: string, userId: string, source: MediaSource): Promise<void>;
  /** Pauses (true) or resumes (false: those the client had resumed) every consumer of userId. */
  setDeafened(channelId: string, userId: string, deafened: boolean): Promise<void>;
  /** Pauses the mic and refuses its resume while set; unset resumes it unless the user had muted it themselves. */
  setServerMuted(channelId: string, userId: string, muted: boolean): Promise<void>;
  /** Closes everything of userId in the room (no-op if not there). The room closes with its last participant. */
  leave(channelId: string, userId: string): Promise<void>;
  /** Whether userId is in the room here. */
  hasPeer(channelId: string, userId: string): boolean;
  roomStats(): RoomStats[];
  peerStats(channelId: string, userId: string): Promise<PeerStats>;
  workerStats(): Promise<WorkerStats[]>;
  close(): Promise<void>;
}
