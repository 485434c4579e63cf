/**
 * Voice signalling on a gateway node: requests answered with responses, media events pushed (protocol.ts;
 * documented in src/realtime/README.md); the gateway frames them as VOICE_REQUEST, VOICE_RESPONSE, VOICE_EVENT.
 * Every change goes through the voice domain first (src/commands/voice: permissions, maxMembers, the recorded
 * session), then the media layer (src/voice/media) acts on it.
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
import { VoiceMediaError, type RoomSettings, type VoiceMedia, type VoiceMediaEvents } from '../media/index.ts';
import {
  isVoiceMethod,
  methodSchemas,
  SignallingError,
  voiceRequestSchema,
  VoiceEventType,
  type MethodData,
  type VoiceControlMessage,
  type VoiceError,
  type VoiceMethod,
  type VoiceResponse,
} from './protocol.ts';
import { SocketVoice, type VoiceClient } from './socket-voice.ts';

/** Requests a socket may have waiting at once (frames are also counted by the gateway's rate limit). */
export const MAX_IN_FLIGHT = 16;
/** How long a voice holder record lives in Redis without being refreshed by a new join. */
const HOLDER_TTL_SECONDS = 24 * 3600;

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

/** Media calls on something that may already be gone (a producer never made, a participant that left). */
async function unlessMissing(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof VoiceMediaError && (error.code === 'producer_not_found' || error.code === 'not_joined'))) throw error;
  }
}

export class VoiceSignalling {
  private readonly bySocket = new Map<string, SocketVoice>();
  /** The socket holding each user's voice on this node. */
  private readonly holders = new Map<string, SocketVoice>();
  private readonly commands: VoiceCommands;
  private readonly media: VoiceMedia | undefined;
  private readonly log: Logger;
  private readonly detach: Array<() => void> = [];
  private readonly handlers: { [M in VoiceMethod]: (voice: SocketVoice, data: MethodData<M>, context: CallContext) => Promise<unknown> };

  constructor(private readonly options: VoiceSignallingOptions) {
    this.commands = options.voice ?? voiceCommands(options.services);
    this.media = options.media;
    this.log = options.logger.child({ component: 'voice-signalling' });
    this.handlers = {
      join: (voice, data, context) => this.join(voice, data, context),
      setRtpCapabilities: (voice, data) => this.joinMedia(voice, data.rtpCapabilities as unknown as ms.RtpCapabilities),
      createTransport: (voice, data) => this.inRoom(voice, (media, room) => media.createWebRtcTransport(room, voice.userId, data.direction)),
      connectTransport: (voice, data) =>
        this.inRoom(voice, (media, room) => media.connectTransport(room, voice.userId, data.transportId, data.dtlsParameters as unknown as ms.DtlsParameters)),
      produce: (voice, data, context) => this.produce(voice, data, context),
      resumeConsumer: (voice, data) => this.inRoom(voice, (media, room) => media.resumeConsumer(room, voice.userId, data.consumerId)),
      setPreferredLayers: (voice, { consumerId, ...layers }) => this.inRoom(voice, (media, room) => media.setPreferredLayers(room, voice.userId, consumerId, layers)),
      setSelf: (voice, data, context) => this.setSelf(voice, data, context),
      leave: (voice, _data, context) => this.leave(voice, context),
      serverMute: (voice, data, context) => this.commands.serverMute(voice.userId, data.userId, data.mute, context),
      serverDeafen: (voice, data, context) => this.commands.serverDeafen(voice.userId, data.userId, data.deafen, context),
      move: (voice, data, context) => this.commands.move(voice.userId, data.userId, data.channelId, context),
      disconnect: (voice, data, context) => this.commands.disconnect(voice.userId, data.userId, context),
    };
    if (this.media) this.listen(this.media);
  }

  // ── from the gateway ───────────────────────────────────────────────────────────────────────────────

  /** A voice request (VOICE_REQUEST's `d`) from a socket; `userId` is the socket's user once authenticated. */
  request(client: VoiceClient, userId: string | undefined, d: unknown): void {
    const envelope = voiceRequestSchema.safeParse(d);
    if (!envelope.success) return client.respond(failure(null, new RequestError(SignallingError.BAD_REQUEST, 'a voice request is {id, method, data}', envelope.error.issues)));
    const { id, method, data } = envelope.data;
    if (!userId) return client.respond(failure(id, new RequestError(SignallingError.NOT_READY, 'wait for READY (or RESUMED) before voice requests')));
    const voice = this.voiceOf(client, userId);
    const refuse = (error: RequestError) => client.respond(failure(id, error));
    if (!isVoiceMethod(method)) return refuse(new RequestError(SignallingError.UNKNOWN_METHOD, `unknown voice method ${method}`));
    const parsed = methodSchemas[method].safeParse(data);
    if (!parsed.success) return refuse(new RequestError(SignallingError.BAD_REQUEST, `invalid ${method} data`, parsed.error.issues));
    if (voice.inFlight >= MAX_IN_FLIGHT) return refuse(new RequestError(SignallingError.TOO_MANY_REQUESTS, `at most ${MAX_IN_FLIGHT} voice requests at once`));
    const handler = this.handlers[method] as (voice: SocketVoice, data: unknown, context: CallContext) => Promise<unknown>;
    const context = this.context(userId);
    voice.inFlight++;
    const run = async () => {
      let response: VoiceResponse;
      try {
        response = { id, ok: true, data: (await handler(voice, parsed.data, context)) ?? null };
      } catch (error) {
        response = failure(id, this.describe(error, method));
      }
      voice.inFlight--;
      voice.respond(response);
    };
    this.options.track(voice.serial(run));
  }

  /** The socket closed: if it held its user's voice, the user leaves (domain and media). */
  closed(client: VoiceClient): void {
    const voice = this.bySocket.get(client.id);
    if (!voice) return;
    this.bySocket.delete(client.id);
    this.options.track(voice.serial(() => this.release(voice, 'closed')));
  }

  /** Voice events from the node's event feed (every event, in order). */
  onEvents(events: readonly RecordedEvent[]): void {
    if (this.holders.size === 0) return;
    for (const event of events) {
      if (!ACTED_ON.has(event.type)) continue;
      const data = event.data as { userId: string; channelId: string };
      const voice = this.holders.get(data.userId);
      if (!voice || voice.channelId !== data.channelId) continue;
      this.options.track(voice.serial(() => this.apply(voice, event)).catch((error) => this.log.warn({ err: error, type: event.type }, 'voice: applying an event failed')));
    }
  }

  onControl(message: VoiceControlMessage): void {
    if (message.kind !== 'holder' || message.nodeId === this.options.nodeId) return;
    const voice = this.holders.get(message.userId);
    if (voice) this.options.track(voice.serial(() => this.letGo(voice, 'replaced')));
  }

  /** Stops listening to the media layer (the gateway is closing; sockets were closed first). */
  close(): void {
    for (const off of this.detach.splice(0)) off();
  }

  // ── methods ─────────────────────────────────────────────────────────────────────────────────────────────

  private async join(voice: SocketVoice, data: MethodData<'join'>, context: CallContext) {
    const media = this.requireMedia();
    const result = await this.commands.join(voice.userId, data.channelId, { ...context, ...(data.selfMute !== undefined && { selfMute: data.selfMute }), ...(data.selfDeaf !== undefined && { selfDeaf: data.selfDeaf }) });
    voice.observe(result.position);
    const previous = voice.mediaChannelId;
    if (previous && previous !== data.channelId) {
      await media.leave(previous, voice.userId);
      voice.resetMedia();
    }
    voice.channelId = data.channelId;
    voice.settings = roomSettings(result.settings);
    await this.hold(voice);
    let routerRtpCapabilities: ms.RtpCapabilities;
    try {
      routerRtpCapabilities = await media.routerRtpCapabilities(data.channelId, voice.settings);
      if (data.rtpCapabilities) await this.joinMedia(voice, data.rtpCapabilities as unknown as ms.RtpCapabilities);
    } catch (error) {
      // No media, no participant: the recorded session must not show someone who cannot hear or be heard.
      await this.release(voice, 'left', context);
      throw error;
    }
    return { ...result, self: result.participants.find((p) => p.userId === voice.userId) ?? null, routerRtpCapabilities, mediaJoined: voice.mediaChannelId !== null };
  }

  /** The media join: the device's capabilities, then the participant's standing flags (server mute, deafen). */
  private async joinMedia(voice: SocketVoice, rtpCapabilities: ms.RtpCapabilities): Promise<{ channelId: string }> {
    const media = this.requireMedia();
    const channelId = this.requireVoice(voice);
    await media.join(channelId, voice.userId, { rtpCapabilities, settings: voice.settings });
    voice.rtpCapabilities = rtpCapabilities;
    voice.mediaChannelId = channelId;
    const self = await this.participant(voice, channelId);
    if (self) await this.applyFlags(voice, flagsOf(self));
    return { channelId };
  }

  /**
   * Publishing: the camera needs VIDEO and the screen STREAM (the domain turns the flag on, checking them); the
   * mic is produced paused while the participant is muted (without SPEAK they always are). The producer's id is
   * recorded as the participant's stream.
   */
  private async produce(voice: SocketVoice, data: MethodData<'produce'>, context: CallContext) {
    const { media, room } = this.requireRoom(voice);
    const { source } = data;
    let self = await this.self(voice, room);
    let turnedOn: 'video' | 'screenShare' | undefined;
    if (source !== 'mic') {
      const flag = FLAG_OF_SOURCE[source];
      if (!flagsOf(self)[flag]) {
        const changed = await this.commands.updateSelf(voice.userId, { [flag]: true }, context);
        voice.observe(changed.position);
        self = changed.participant;
        turnedOn = flag;
      }
    }
    const paused = source === 'mic' && self.isMuted;
    let producerId: string;
    try {
      ({ producerId } = await media.produce(room, voice.userId, data.transportId, {
        kind: data.kind,
        rtpParameters: data.rtpParameters as unknown as ms.RtpParameters,
        source,
        paused,
      }));
    } catch (error) {
      if (turnedOn) await this.commands.updateSelf(voice.userId, { [turnedOn]: false }, context).then((r) => voice.observe(r.position), () => undefined);
      throw error;
    }
    try {
      voice.observe((await this.commands.setStream(voice.userId, room, STREAM_KIND[source], producerId, context)).position);
    } catch (error) {
      await unlessMissing(media.closeProducer(room, voice.userId, source));
      throw error;
    }
    return { producerId, paused };
  }

  private async setSelf(voice: SocketVoice, patch: MethodData<'setSelf'>, context: CallContext) {
    this.requireVoice(voice);
    const result = await this.commands.updateSelf(voice.userId, patch, context);
    voice.observe(result.position);
    if (voice.mediaChannelId === result.channelId) await this.applyFlags(voice, flagsOf(result.participant));
    return result.participant;
  }

  private async leave(voice: SocketVoice, context: CallContext) {
    const result = await this.commands.leave(voice.userId, context);
    voice.observe(result.position);
    await this.letGo(voice);
    await this.forgetHolder(voice);
    return result;
  }

  // ── what others did ─────────────────────────────────────────────────────────────────────────────────────

  /** A voice event about this socket's participant, newer than what the socket's own requests reflected. */
  private async apply(voice: SocketVoice, event: RecordedEvent): Promise<void> {
    const data = event.data as VoiceFlags & { userId: string; channelId: string; revoltId: string; by?: string; reason?: string; toChannelId?: string };
    if (event.position <= voice.position || voice.channelId !== data.channelId || this.holders.get(voice.userId) !== voice) return;
    voice.observe(event.position);
    if (event.type === 'VoiceStateChanged') {
      if (voice.mediaChannelId === data.channelId) await this.applyFlags(voice, data);
      if (data.by !== voice.userId) {
        voice.event(VoiceEventType.MODERATED, { channelId: data.channelId, serverMute: data.serverMute, serverDeaf: data.serverDeaf, video: data.video, screenShare: data.screenShare, by: data.by });
      }
      return;
    }
    // VoiceParticipantLeft
    if (data.reason === 'moved' && data.toChannelId) return this.moved(voice, data.channelId, data.toChannelId, data.revoltId, data.by);
    await this.letGo(voice, data.reason ?? 'left', data.by);
  }

  /** A moderator moved the participant: media follows them into the new room (with the device they had). */
  private async moved(voice: SocketVoice, from: string, to: string, revoltId: string, by: string | undefined): Promise<void> {
    const media = this.media;
    if (media) await media.leave(from, voice.userId);
    voice.resetMedia();
    voice.channelId = to;
    voice.settings = await this.settingsOf(revoltId, to);
    let routerRtpCapabilities: ms.RtpCapabilities | undefined;
    try {
      routerRtpCapabilities = await media?.routerRtpCapabilities(to, voice.settings);
      if (media && voice.rtpCapabilities) await this.joinMedia(voice, voice.rtpCapabilities);
    } catch (error) {
      // Still in the new channel (the domain moved them): the client redoes the media join itself.
      this.log.warn({ err: error, userId: voice.userId, channelId: to }, 'voice: media could not follow a move');
    }
    voice.event(VoiceEventType.MOVED, { fromChannelId: from, toChannelId: to, by, routerRtpCapabilities, mediaJoined: voice.mediaChannelId !== null });
  }

  /**
   * The socket's voice ends without the domain being asked (it already knows, or another socket holds it now):
   * media leaves; with a `reason` the client is told.
   */
  private async letGo(voice: SocketVoice, reason?: string, by?: string): Promise<void> {
    const channelId = voice.channelId;
    if (voice.mediaChannelId) await this.media?.leave(voice.mediaChannelId, voice.userId);
    voice.forget();
    if (this.holders.get(voice.userId) === voice) this.holders.delete(voice.userId);
    if (reason && channelId) voice.event(VoiceEventType.DISCONNECTED, { channelId, reason, ...(by && { by }) });
  }

  /**
   * The socket is done with voice (closed, or its join could not get media): media leaves, and the user leaves
   * the domain too unless another socket holds their voice now.
   */
  private async release(voice: SocketVoice, why: 'closed' | 'left', context: CallContext = this.context(voice.userId)): Promise<void> {
    if (this.holders.get(voice.userId) !== voice) return;
    await this.letGo(voice);
    if (!(await this.forgetHolder(voice))) return;
    const result = why === 'closed' ? await this.commands.leaveEverywhere(voice.userId, context) : await this.commands.leave(voice.userId, context);
    voice.observe(result.position);
  }

  // ── holders ─────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * On the publisher node: ends the stays of users whose voice is held by a socket that lives nowhere any more (its
   * node died and could not record the leave itself). A holder record names its socket as presence does
   * (`<nodeId>:<socketId>`); one whose socket `isLive` denies is released, only if it still names that socket (a new
   * join elsewhere wins), and its user leaves everywhere (`connection_lost`), as when a socket closes. Returns how
   * many stays it ended.
   */
  async endOrphanedStays(isLive: (userId: string, holder: string) => Promise<boolean>): Promise<number> {
    const { redis } = this.options;
    const prefix = this.holderKey('');
    let ended = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const userId = key.slice(prefix.length);
        const holder = await redis.get(key);
        if (holder === null || (await isLive(userId, holder))) continue;
        if (!(await releaseIfOwner(redis, key, holder))) continue;
        await this.commands.leaveEverywhere(userId, this.context(userId));
        ended++;
      }
    } while (cursor !== '0');
    return ended;
  }

  private holderKey(userId: string): string {
    return `${this.options.services.config.REDIS_PREFIX}:voice:holder:${userId}`;
  }

  /** How the Redis record names this socket: `<nodeId>:<socketId>`. */
  private holderOf(voice: SocketVoice): string {
    return `${this.options.nodeId}:${voice.client.id}`;
  }

  /**
   * This socket now holds the user's voice: other sockets (here or on other nodes) let go. Media is per user, so a
   * local one's media is left here, before this socket's media join.
   */
  private async hold(voice: SocketVoice): Promise<void> {
    const previous = this.holders.get(voice.userId);
    this.holders.set(voice.userId, voice);
    if (previous && previous !== voice) {
      const { channelId, mediaChannelId } = previous;
      previous.forget();
      if (mediaChannelId) await this.media?.leave(mediaChannelId, voice.userId);
      if (channelId) previous.event(VoiceEventType.DISCONNECTED, { channelId, reason: 'replaced' });
    }
    const holder = this.holderOf(voice);
    await this.options.redis.set(this.holderKey(voice.userId), holder, 'EX', HOLDER_TTL_SECONDS);
    this.options.publish({ type: 'voice', kind: 'holder', nodeId: this.options.nodeId, userId: voice.userId, holder });
  }

  /** Forgets the Redis record if it still names this socket (or is gone); false when another socket holds it. */
  private async forgetHolder(voice: SocketVoice): Promise<boolean> {
    return releaseIfOwner(this.options.redis, this.holderKey(voice.userId), this.holderOf(voice), { orMissing: true });
  }

  // ── media ───────────────────────────────────────────────────────────────────────────────────────────────

  /** Makes the media match the participant's flags: server mute, deafen, the mic paused while muted, camera/screen closed when off. */
  private async applyFlags(voice: SocketVoice, flags: VoiceFlags): Promise<void> {
    const { media, room } = this.requireRoom(voice);
    const { userId } = voice;
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
      this.options.track(this.commands.setSpeaking(userId, channelId, speaking).catch((error) => this.log.debug({ err: error, userId, channelId }, 'voice: speaking not recorded'))),
    );
    on('reconnectRequired', (channelId, userIds) => {
      for (const userId of userIds) {
        const voice = this.holders.get(userId);
        if (voice?.mediaChannelId !== channelId) continue;
        voice.resetMedia();
        voice.event(VoiceEventType.RECONNECT, { channelId, reason: 'media_lost' });
      }
    });
  }

  private toHolder(channelId: string, userId: string, type: string, data: unknown): void {
    const voice = this.holders.get(userId);
    if (voice?.mediaChannelId === channelId) voice.event(type, data);
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────────────────

  private voiceOf(client: VoiceClient, userId: string): SocketVoice {
    let voice = this.bySocket.get(client.id);
    // A socket identified again as someone else (after INVALID_SESSION) starts over.
    if (voice?.userId !== userId) {
      if (voice) this.closed(client);
      this.bySocket.set(client.id, (voice = new SocketVoice(client, userId)));
    }
    return voice;
  }

  private context(userId: string): CallContext {
    return { context: { actorId: userId, correlationId: `gateway-${this.options.nodeId}`, causationId: `voice-${randomBytes(6).toString('hex')}` } };
  }

  private requireMedia(): VoiceMedia {
    if (!this.media) throw new RequestError(SignallingError.VOICE_UNAVAILABLE, 'this gateway node runs no voice media');
    return this.media;
  }

  private requireVoice(voice: SocketVoice): string {
    if (!voice.channelId || this.holders.get(voice.userId) !== voice) throw new RequestError(SignallingError.NOT_IN_VOICE, 'join a voice channel on this connection first');
    return voice.channelId;
  }

  private requireRoom(voice: SocketVoice): { media: VoiceMedia; room: string } {
    const media = this.requireMedia();
    const channelId = this.requireVoice(voice);
    if (voice.mediaChannelId !== channelId) throw new RequestError(SignallingError.MEDIA_NOT_JOINED, 'send setRtpCapabilities (or join with rtpCapabilities) first');
    return { media, room: channelId };
  }

  private inRoom<T>(voice: SocketVoice, call: (media: VoiceMedia, room: string) => Promise<T>): Promise<T> {
    const { media, room } = this.requireRoom(voice);
    return call(media, room);
  }

  /** The participant as the event store has it in that channel, if they are there. */
  private async participant(voice: SocketVoice, channelId: string): Promise<VoiceParticipantView | undefined> {
    return (await this.commands.channel(channelId))?.participants.find((p) => p.userId === voice.userId);
  }

  private async self(voice: SocketVoice, channelId: string): Promise<VoiceParticipantView> {
    const self = await this.participant(voice, channelId);
    if (!self) throw new RequestError(SignallingError.NOT_IN_VOICE, 'you are not in this voice channel any more');
    return self;
  }

  private async settingsOf(revoltId: string, channelId: string): Promise<RoomSettings> {
    const { state } = await this.options.services.commands.load(revoltStream(revoltId), revoltDecider);
    const channel = state.channels.get(channelId);
    return channel ? roomSettings(channelSettingsView(state, channel)) : {};
  }

  private describe(error: unknown, method: string): VoiceError {
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

function failure(id: unknown, error: VoiceError): VoiceResponse {
  const { code, message, details } = error;
  return { id, ok: false, error: { code, message, ...(details !== undefined && { details }) } };
}
