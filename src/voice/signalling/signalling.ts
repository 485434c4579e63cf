/**
 * Voice signalling on a gateway node: VOICE_REQUEST frames answered with VOICE_RESPONSE, media events pushed as
 * VOICE_EVENT (protocol.ts; documented in src/realtime/README.md). Every change goes through the voice domain
 * first (src/commands/voice: permissions, maxMembers, the recorded session), then the media layer
 * (src/voice/media) acts on it.
 *
 * A socket that joins a voice channel "holds" the user's voice on this node (a user is in one channel at a time;
 * a join from another socket takes it over, on any node: the holder is recorded in Redis and announced over the
 * gateway's control channel). When the holding socket closes, its user leaves voice (domain and media).
 *
 * What others do to a participant (moderators' server mute/deafen, move, disconnect; losing access to the
 * channel; leaving from another client) is recorded as events, and every gateway node follows every event: the
 * node holding the participant's socket applies the change to its media and tells the client. Events older than
 * the last change this socket made itself are skipped (that change already reflects them).
 *
 * Requests of one socket run one at a time, in order; events for a socket produced while one of its requests
 * runs are sent after that request's response (so `newConsumer` never precedes the recv transport it needs).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { AppError } from '../../commands/errors.ts';
import { revoltDecider, revoltStream } from '../../commands/revolts/decide.ts';
import type { VoiceFlags } from '../../commands/voice/events.ts';
import { voiceCommands, type VoiceCommands, type VoiceParticipantView } from '../../commands/voice/execute.ts';
import { channelSettingsView, type VoiceChannelSettingsView } from '../../commands/voice/rules.ts';
import { isDeafened, isMuted } from '../../commands/voice/state.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { Services } from '../../http/services.ts';
import { releaseIfOwner } from '../../redis/release-if-owner.ts';
import { frame, Op } from '../../realtime/protocol.ts';
import { VoiceMediaError, type RoomSettings, type VoiceMedia, type VoiceMediaEvents } from '../media/index.ts';
import { isVoiceMethod, methodSchemas, SignallingError, VoiceEventType, voiceRequestSchema, type MethodData, type VoiceMethod } from './protocol.ts';

/** Requests a socket may have waiting at once (frames are also counted by the gateway's rate limit). */
export const MAX_IN_FLIGHT = 16;
/** How long a voice holder record lives in Redis without being refreshed by a new join. */
const HOLDER_TTL_SECONDS = 24 * 3600;

/** What signalling needs of a gateway socket. */
export interface VoiceClient {
  readonly id: string;
  readonly open: boolean;
  send(frame: string): void;
}

/** A control message between gateway nodes (over the gateway's control channel). */
export interface VoiceControlMessage {
  type: 'voice';
  /** `userId`'s voice is now held by socket `holder` (`<nodeId>:<socketId>`): others let go. */
  kind: 'holder';
  nodeId: string;
  userId: string;
  holder: string;
}

export interface VoiceSignallingOptions {
  services: Services;
  /** This node's media; without it media methods answer `voice_unavailable` (moderation still works). */
  media?: VoiceMedia | undefined;
  /** Defaults to voiceCommands(services): the process's one instance, whose per-user queue the HTTP routes share. */
  voice?: VoiceCommands;
  nodeId: string;
  redis: Redis;
  /** Publishes to every gateway node (the gateway's control channel). */
  publish(message: VoiceControlMessage): void;
  /** Background work the gateway waits for when closing. */
  track(promise: Promise<unknown>): void;
  logger: Logger;
}

/** A failure answered to the client as `{code, message, details?}`. */
class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** One gateway socket's voice state. */
class Peer {
  /** The voice channel joined through this socket (domain), or null. */
  channelId: string | null = null;
  settings: RoomSettings = {};
  /** The device's capabilities, once sent: what the media join (and a re-join after a move) uses. */
  rtpCapabilities: ms.RtpCapabilities | undefined;
  /** The media room joined, or null (before setRtpCapabilities, after a worker died). */
  mediaChannelId: string | null = null;
  /** Position of the last voice event reflected in this socket's state (its own changes, or ones applied). */
  position = 0;
  inFlight = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private running = false;
  private held: string[] = [];

  constructor(
    readonly client: VoiceClient,
    readonly userId: string,
  ) {}

  /** Runs `task` after every earlier one; events pushed meanwhile wait until it is done (and its response sent). */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = async () => {
      this.running = true;
      try {
        return await task();
      } finally {
        this.running = false;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.then(
      () => this.flush(),
      () => this.flush(),
    );
    return next;
  }

  event(type: string, data: unknown): void {
    const text = frame(Op.VOICE_EVENT, { type, data });
    if (this.running) this.held.push(text);
    else this.client.send(text);
  }

  /** Sends a response, then whatever events were held for it. */
  respond(text: string): void {
    this.client.send(text);
    this.flush();
  }

  private flush(): void {
    const held = this.held;
    this.held = [];
    for (const text of held) this.client.send(text);
  }

  observe(position: number | null | undefined): void {
    if (position != null && position > this.position) this.position = position;
  }

  resetMedia(): void {
    this.mediaChannelId = null;
  }

  /** No voice on this socket any more. */
  forget(): void {
    this.channelId = null;
    this.mediaChannelId = null;
    this.rtpCapabilities = undefined;
  }
}

const STREAM_KIND = { mic: 'audio', webcam: 'video', screen: 'screen' } as const;
const FLAG_OF_SOURCE = { webcam: 'video', screen: 'screenShare' } as const;
/** Voice events a participant's socket acts on (the rest only reach clients as dispatches). */
const ACTED_ON: ReadonlySet<string> = new Set(['VoiceStateChanged', 'VoiceParticipantLeft']);

const roomSettings = (settings: VoiceChannelSettingsView): RoomSettings => ({
  bitrate: settings.bitrate,
  ...(settings.videoQuality && { videoQuality: settings.videoQuality }),
  ...(settings.maxMembers !== null && { maxMembers: settings.maxMembers }),
});

const flagsOf = (p: VoiceParticipantView): VoiceFlags => ({
  selfMute: p.selfMute,
  selfDeaf: p.selfDeaf,
  serverMute: p.serverMute,
  serverDeaf: p.serverDeaf,
  video: p.isVideoEnabled,
  screenShare: p.isScreenSharing,
});

/** Media calls on something that may already be gone (a producer never made, a peer that left). */
async function unlessMissing(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof VoiceMediaError && (error.code === 'producer_not_found' || error.code === 'not_joined'))) throw error;
  }
}

export class VoiceSignalling {
  private readonly peers = new Map<string, Peer>();
  /** The socket holding each user's voice on this node. */
  private readonly holders = new Map<string, Peer>();
  private readonly voice: VoiceCommands;
  private readonly media: VoiceMedia | undefined;
  private readonly log: Logger;
  private readonly detach: Array<() => void> = [];
  private readonly handlers: { [M in VoiceMethod]: (peer: Peer, data: MethodData<M>, context: CallContext) => Promise<unknown> };

  constructor(private readonly options: VoiceSignallingOptions) {
    this.voice = options.voice ?? voiceCommands(options.services);
    this.media = options.media;
    this.log = options.logger.child({ component: 'voice-signalling' });
    this.handlers = {
      join: (peer, data, context) => this.join(peer, data, context),
      setRtpCapabilities: (peer, data) => this.joinMedia(peer, data.rtpCapabilities as unknown as ms.RtpCapabilities),
      createTransport: (peer, data) => this.inRoom(peer, (media, room) => media.createWebRtcTransport(room, peer.userId, data.direction)),
      connectTransport: (peer, data) =>
        this.inRoom(peer, (media, room) => media.connectTransport(room, peer.userId, data.transportId, data.dtlsParameters as unknown as ms.DtlsParameters)),
      produce: (peer, data, context) => this.produce(peer, data, context),
      resumeConsumer: (peer, data) => this.inRoom(peer, (media, room) => media.resumeConsumer(room, peer.userId, data.consumerId)),
      setPreferredLayers: (peer, { consumerId, ...layers }) => this.inRoom(peer, (media, room) => media.setPreferredLayers(room, peer.userId, consumerId, layers)),
      setSelf: (peer, data, context) => this.setSelf(peer, data, context),
      leave: (peer, _data, context) => this.leave(peer, context),
      serverMute: (peer, data, context) => this.voice.serverMute(peer.userId, data.userId, data.mute, context),
      serverDeafen: (peer, data, context) => this.voice.serverDeafen(peer.userId, data.userId, data.deafen, context),
      move: (peer, data, context) => this.voice.move(peer.userId, data.userId, data.channelId, context),
      disconnect: (peer, data, context) => this.voice.disconnect(peer.userId, data.userId, context),
    };
    if (this.media) this.listen(this.media);
  }

  // ── frames from the gateway ───────────────────────────────────────────────────────────────────────────────

  /** A VOICE_REQUEST frame's `d` from a socket; `userId` is the socket's user once authenticated. */
  request(client: VoiceClient, userId: string | undefined, d: unknown): void {
    const envelope = voiceRequestSchema.safeParse(d);
    if (!envelope.success) return client.send(failure(null, new RequestError(SignallingError.BAD_REQUEST, 'a voice request is {id, method, data}', envelope.error.issues)));
    const { id, method, data } = envelope.data;
    if (!userId) return client.send(failure(id, new RequestError(SignallingError.NOT_READY, 'wait for READY (or RESUMED) before voice requests')));
    const peer = this.peerOf(client, userId);
    const refuse = (error: RequestError) => client.send(failure(id, error));
    if (!isVoiceMethod(method)) return refuse(new RequestError(SignallingError.UNKNOWN_METHOD, `unknown voice method ${method}`));
    const parsed = methodSchemas[method].safeParse(data);
    if (!parsed.success) return refuse(new RequestError(SignallingError.BAD_REQUEST, `invalid ${method} data`, parsed.error.issues));
    if (peer.inFlight >= MAX_IN_FLIGHT) return refuse(new RequestError(SignallingError.TOO_MANY_REQUESTS, `at most ${MAX_IN_FLIGHT} voice requests at once`));
    const handler = this.handlers[method] as (peer: Peer, data: unknown, context: CallContext) => Promise<unknown>;
    const context = this.context(userId);
    peer.inFlight++;
    const run = async () => {
      let text: string;
      try {
        text = frame(Op.VOICE_RESPONSE, { id, ok: true, data: (await handler(peer, parsed.data, context)) ?? null });
      } catch (error) {
        text = failure(id, this.describe(error, method));
      }
      peer.inFlight--;
      peer.respond(text);
    };
    this.options.track(peer.serial(run));
  }

  /** The socket closed: if it held its user's voice, the user leaves (domain and media). */
  closed(client: VoiceClient): void {
    const peer = this.peers.get(client.id);
    if (!peer) return;
    this.peers.delete(client.id);
    this.options.track(peer.serial(() => this.release(peer, 'closed')));
  }

  /** Voice events from the node's event feed (every event, in order). */
  onEvents(events: readonly RecordedEvent[]): void {
    if (this.holders.size === 0) return;
    for (const event of events) {
      if (!ACTED_ON.has(event.type)) continue;
      const data = event.data as { userId: string; channelId: string };
      const peer = this.holders.get(data.userId);
      if (!peer || peer.channelId !== data.channelId) continue;
      this.options.track(peer.serial(() => this.apply(peer, event)).catch((error) => this.log.warn({ err: error, type: event.type }, 'voice: applying an event failed')));
    }
  }

  onControl(message: VoiceControlMessage): void {
    if (message.kind !== 'holder' || message.nodeId === this.options.nodeId) return;
    const peer = this.holders.get(message.userId);
    if (peer) this.options.track(peer.serial(() => this.letGo(peer, 'replaced')));
  }

  /** Stops listening to the media layer (the gateway is closing; sockets were closed first). */
  close(): void {
    for (const off of this.detach.splice(0)) off();
  }

  // ── methods ─────────────────────────────────────────────────────────────────────────────────────────────

  private async join(peer: Peer, data: MethodData<'join'>, context: CallContext) {
    const media = this.requireMedia();
    const result = await this.voice.join(peer.userId, data.channelId, { ...context, ...(data.selfMute !== undefined && { selfMute: data.selfMute }), ...(data.selfDeaf !== undefined && { selfDeaf: data.selfDeaf }) });
    peer.observe(result.position);
    const previous = peer.mediaChannelId;
    if (previous && previous !== data.channelId) {
      await media.leave(previous, peer.userId);
      peer.resetMedia();
    }
    peer.channelId = data.channelId;
    peer.settings = roomSettings(result.settings);
    await this.hold(peer);
    let routerRtpCapabilities: ms.RtpCapabilities;
    try {
      routerRtpCapabilities = await media.routerRtpCapabilities(data.channelId, peer.settings);
      if (data.rtpCapabilities) await this.joinMedia(peer, data.rtpCapabilities as unknown as ms.RtpCapabilities);
    } catch (error) {
      // No media, no participant: the recorded session must not show someone who cannot hear or be heard.
      await this.release(peer, 'left', context);
      throw error;
    }
    return { ...result, self: result.participants.find((p) => p.userId === peer.userId) ?? null, routerRtpCapabilities, mediaJoined: peer.mediaChannelId !== null };
  }

  /** The media join: the device's capabilities, then the participant's standing flags (server mute, deafen). */
  private async joinMedia(peer: Peer, rtpCapabilities: ms.RtpCapabilities): Promise<{ channelId: string }> {
    const media = this.requireMedia();
    const channelId = this.requireVoice(peer);
    await media.join(channelId, peer.userId, { rtpCapabilities, settings: peer.settings });
    peer.rtpCapabilities = rtpCapabilities;
    peer.mediaChannelId = channelId;
    const self = await this.participant(peer, channelId);
    if (self) await this.applyFlags(peer, flagsOf(self));
    return { channelId };
  }

  /**
   * Publishing: the camera needs VIDEO and the screen STREAM (the domain turns the flag on, checking them); the
   * mic is produced paused while the participant is muted (without SPEAK they always are). The producer's id is
   * recorded as the participant's stream.
   */
  private async produce(peer: Peer, data: MethodData<'produce'>, context: CallContext) {
    const { media, room } = this.requireRoom(peer);
    const { source } = data;
    let self = await this.self(peer, room);
    let turnedOn: 'video' | 'screenShare' | undefined;
    if (source !== 'mic') {
      const flag = FLAG_OF_SOURCE[source];
      if (!flagsOf(self)[flag]) {
        const changed = await this.voice.updateSelf(peer.userId, { [flag]: true }, context);
        peer.observe(changed.position);
        self = changed.participant;
        turnedOn = flag;
      }
    }
    const paused = source === 'mic' && self.isMuted;
    let producerId: string;
    try {
      ({ producerId } = await media.produce(room, peer.userId, data.transportId, {
        kind: data.kind,
        rtpParameters: data.rtpParameters as unknown as ms.RtpParameters,
        source,
        paused,
      }));
    } catch (error) {
      if (turnedOn) await this.voice.updateSelf(peer.userId, { [turnedOn]: false }, context).then((r) => peer.observe(r.position), () => undefined);
      throw error;
    }
    try {
      peer.observe((await this.voice.setStream(peer.userId, room, STREAM_KIND[source], producerId, context)).position);
    } catch (error) {
      await unlessMissing(media.closeProducer(room, peer.userId, source));
      throw error;
    }
    return { producerId, paused };
  }

  private async setSelf(peer: Peer, patch: MethodData<'setSelf'>, context: CallContext) {
    this.requireVoice(peer);
    const result = await this.voice.updateSelf(peer.userId, patch, context);
    peer.observe(result.position);
    if (peer.mediaChannelId === result.channelId) await this.applyFlags(peer, flagsOf(result.participant));
    return result.participant;
  }

  private async leave(peer: Peer, context: CallContext) {
    const result = await this.voice.leave(peer.userId, context);
    peer.observe(result.position);
    await this.letGo(peer);
    await this.forgetHolder(peer);
    return result;
  }

  // ── what others did ─────────────────────────────────────────────────────────────────────────────────────

  /** A voice event about this socket's participant, newer than what the socket's own requests reflected. */
  private async apply(peer: Peer, event: RecordedEvent): Promise<void> {
    const data = event.data as VoiceFlags & { userId: string; channelId: string; revoltId: string; by?: string; reason?: string; toChannelId?: string };
    if (event.position <= peer.position || peer.channelId !== data.channelId || this.holders.get(peer.userId) !== peer) return;
    peer.observe(event.position);
    if (event.type === 'VoiceStateChanged') {
      if (peer.mediaChannelId === data.channelId) await this.applyFlags(peer, data);
      if (data.by !== peer.userId) {
        peer.event(VoiceEventType.MODERATED, { channelId: data.channelId, serverMute: data.serverMute, serverDeaf: data.serverDeaf, video: data.video, screenShare: data.screenShare, by: data.by });
      }
      return;
    }
    // VoiceParticipantLeft
    if (data.reason === 'moved' && data.toChannelId) return this.moved(peer, data.channelId, data.toChannelId, data.revoltId, data.by);
    await this.letGo(peer, data.reason ?? 'left', data.by);
  }

  /** A moderator moved the participant: media follows them into the new room (with the device they had). */
  private async moved(peer: Peer, from: string, to: string, revoltId: string, by: string | undefined): Promise<void> {
    const media = this.media;
    if (media) await media.leave(from, peer.userId);
    peer.resetMedia();
    peer.channelId = to;
    peer.settings = await this.settingsOf(revoltId, to);
    let routerRtpCapabilities: ms.RtpCapabilities | undefined;
    try {
      routerRtpCapabilities = await media?.routerRtpCapabilities(to, peer.settings);
      if (media && peer.rtpCapabilities) await this.joinMedia(peer, peer.rtpCapabilities);
    } catch (error) {
      // Still in the new channel (the domain moved them): the client redoes the media join itself.
      this.log.warn({ err: error, userId: peer.userId, channelId: to }, 'voice: media could not follow a move');
    }
    peer.event(VoiceEventType.MOVED, { fromChannelId: from, toChannelId: to, by, routerRtpCapabilities, mediaJoined: peer.mediaChannelId !== null });
  }

  /**
   * The socket's voice ends without the domain being asked (it already knows, or another socket holds it now):
   * media leaves; with a `reason` the client is told.
   */
  private async letGo(peer: Peer, reason?: string, by?: string): Promise<void> {
    const channelId = peer.channelId;
    if (peer.mediaChannelId) await this.media?.leave(peer.mediaChannelId, peer.userId);
    peer.forget();
    if (this.holders.get(peer.userId) === peer) this.holders.delete(peer.userId);
    if (reason && channelId) peer.event(VoiceEventType.DISCONNECTED, { channelId, reason, ...(by && { by }) });
  }

  /**
   * The socket is done with voice (closed, or its join could not get media): media leaves, and the user leaves
   * the domain too unless another socket holds their voice now.
   */
  private async release(peer: Peer, why: 'closed' | 'left', context: CallContext = this.context(peer.userId)): Promise<void> {
    if (this.holders.get(peer.userId) !== peer) return;
    await this.letGo(peer);
    if (!(await this.forgetHolder(peer))) return;
    const result = why === 'closed' ? await this.voice.leaveEverywhere(peer.userId, context) : await this.voice.leave(peer.userId, context);
    peer.observe(result.position);
  }

  // ── holders ─────────────────────────────────────────────────────────────────────────────────────────────

  private holderKey(userId: string): string {
    return `${this.options.services.config.REDIS_PREFIX}:voice:holder:${userId}`;
  }

  /** How the Redis record names this socket: `<nodeId>:<socketId>`. */
  private holderOf(peer: Peer): string {
    return `${this.options.nodeId}:${peer.client.id}`;
  }

  /**
   * This socket now holds the user's voice: other sockets (here or on other nodes) let go. Media is per user, so a
   * local one's media is left here, before this socket's media join.
   */
  private async hold(peer: Peer): Promise<void> {
    const previous = this.holders.get(peer.userId);
    this.holders.set(peer.userId, peer);
    if (previous && previous !== peer) {
      const { channelId, mediaChannelId } = previous;
      previous.forget();
      if (mediaChannelId) await this.media?.leave(mediaChannelId, peer.userId);
      if (channelId) previous.event(VoiceEventType.DISCONNECTED, { channelId, reason: 'replaced' });
    }
    const holder = this.holderOf(peer);
    await this.options.redis.set(this.holderKey(peer.userId), holder, 'EX', HOLDER_TTL_SECONDS);
    this.options.publish({ type: 'voice', kind: 'holder', nodeId: this.options.nodeId, userId: peer.userId, holder });
  }

  /** Forgets the Redis record if it still names this socket (or is gone); false when another socket holds it. */
  private async forgetHolder(peer: Peer): Promise<boolean> {
    return releaseIfOwner(this.options.redis, this.holderKey(peer.userId), this.holderOf(peer), { orMissing: true });
  }

  // ── media ───────────────────────────────────────────────────────────────────────────────────────────────

  /** Makes the media match the participant's flags: server mute, deafen, the mic paused while muted, camera/screen closed when off. */
  private async applyFlags(peer: Peer, flags: VoiceFlags): Promise<void> {
    const { media, room } = this.requireRoom(peer);
    const { userId } = peer;
    await media.setServerMuted(room, userId, flags.serverMute);
    await media.setDeafened(room, userId, isDeafened(flags));
    await unlessMissing(isMuted(flags) ? media.pauseProducer(room, userId, 'mic') : media.resumeProducer(room, userId, 'mic'));
    if (!flags.video) await unlessMissing(media.closeProducer(room, userId, 'webcam'));
    if (!flags.screenShare) await unlessMissing(media.closeProducer(room, userId, 'screen'));
  }

  private listen(media: VoiceMedia): void {
    const on = <K extends keyof VoiceMediaEvents>(event: K, handler: (...args: VoiceMediaEvents[K]) => void) => {
      const listener = handler as Parameters<VoiceMedia['on']>[1];
      media.on(event, listener);
      this.detach.push(() => media.off(event, listener));
    };
    /** Media events of a participant whose voice this node holds, in that room. */
    const forward = (type: string) => (channelId: string, userId: string, consumerId: string) => this.toHolder(channelId, userId, type, { channelId, consumerId });
    on('consumerCreated', (channelId, userId, consumer) => this.toHolder(channelId, userId, VoiceEventType.NEW_CONSUMER, { channelId, ...consumer }));
    on('consumerClosed', forward(VoiceEventType.CONSUMER_CLOSED));
    on('producerPaused', forward(VoiceEventType.PRODUCER_PAUSED));
    on('producerResumed', forward(VoiceEventType.PRODUCER_RESUMED));
    on('speaking', (channelId, userId, speaking) =>
      this.options.track(this.voice.setSpeaking(userId, channelId, speaking).catch((error) => this.log.debug({ err: error, userId, channelId }, 'voice: speaking not recorded'))),
    );
    on('reconnectRequired', (channelId, userIds) => {
      for (const userId of userIds) {
        const peer = this.holders.get(userId);
        if (peer?.mediaChannelId !== channelId) continue;
        peer.resetMedia();
        peer.event(VoiceEventType.RECONNECT, { channelId, reason: 'media_lost' });
      }
    });
  }

  private toHolder(channelId: string, userId: string, type: string, data: unknown): void {
    const peer = this.holders.get(userId);
    if (peer?.mediaChannelId === channelId) peer.event(type, data);
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────────────────

  private peerOf(client: VoiceClient, userId: string): Peer {
    let peer = this.peers.get(client.id);
    // A socket identified again as someone else (after INVALID_SESSION) starts over.
    if (peer?.userId !== userId) {
      if (peer) this.closed(client);
      this.peers.set(client.id, (peer = new Peer(client, userId)));
    }
    return peer;
  }

  private context(userId: string): CallContext {
    return { context: { actorId: userId, correlationId: `gateway-${this.options.nodeId}`, causationId: `voice-${randomBytes(6).toString('hex')}` } };
  }

  private requireMedia(): VoiceMedia {
    if (!this.media) throw new RequestError(SignallingError.VOICE_UNAVAILABLE, 'this gateway node runs no voice media');
    return this.media;
  }

  private requireVoice(peer: Peer): string {
    if (!peer.channelId || this.holders.get(peer.userId) !== peer) throw new RequestError(SignallingError.NOT_IN_VOICE, 'join a voice channel on this connection first');
    return peer.channelId;
  }

  private requireRoom(peer: Peer): { media: VoiceMedia; room: string } {
    const media = this.requireMedia();
    const channelId = this.requireVoice(peer);
    if (peer.mediaChannelId !== channelId) throw new RequestError(SignallingError.MEDIA_NOT_JOINED, 'send setRtpCapabilities (or join with rtpCapabilities) first');
    return { media, room: channelId };
  }

  private inRoom<T>(peer: Peer, call: (media: VoiceMedia, room: string) => Promise<T>): Promise<T> {
    const { media, room } = this.requireRoom(peer);
    return call(media, room);
  }

  /** The participant as the event store has it in that channel, if they are there. */
  private async participant(peer: Peer, channelId: string): Promise<VoiceParticipantView | undefined> {
    return (await this.voice.channel(channelId))?.participants.find((p) => p.userId === peer.userId);
  }

  private async self(peer: Peer, channelId: string): Promise<VoiceParticipantView> {
    const self = await this.participant(peer, channelId);
    if (!self) throw new RequestError(SignallingError.NOT_IN_VOICE, 'you are not in this voice channel any more');
    return self;
  }

  private async settingsOf(revoltId: string, channelId: string): Promise<RoomSettings> {
    const { state } = await this.options.services.commands.load(revoltStream(revoltId), revoltDecider);
    const channel = state.channels.get(channelId);
    return channel ? roomSettings(channelSettingsView(state, channel)) : {};
  }

  private describe(error: unknown, method: string): { code: string; message: string; details?: unknown } {
    if (error instanceof RequestError || error instanceof AppError) {
      return { code: error.code, message: error.message, ...(error.details !== undefined && { details: error.details }) };
    }
    if (error instanceof VoiceMediaError) return { code: error.code, message: error.message };
    this.log.error({ err: error, method }, 'voice request failed');
    return { code: SignallingError.INTERNAL, message: 'internal error' };
  }
}

interface CallContext {
  context: { actorId: string; correlationId: string; causationId: string };
}

function failure(id: unknown, error: { code: string; message: string; details?: unknown }): string {
  const { code, message, details } = error;
  return frame(Op.VOICE_RESPONSE, { id, ok: false, error: { code, message, ...(details !== undefined && { details }) } });
}
