/**
 * Voice signalling over the gateway socket (src/realtime/README.md, "Voice signalling"): request/response frames
 * and server-pushed events. Every request's `data` is validated here before anything reaches the domain
 * (src/commands/voice) or the media layer (src/voice/media).
 *
 *   client → server  {op: 'VOICE_REQUEST',  d: {id, method, data}}
 *   server → client  {op: 'VOICE_RESPONSE', d: {id, ok: true, data} | {id, ok: false, error: {code, message, details?}}}
 *   server → client  {op: 'VOICE_EVENT',    d: {type, data}}
 */
import { z } from 'zod';
import { voiceSelfPatchSchema } from '../../commands/voice/commands.ts';
import { idSchema } from '../../events/ids.ts';

/** A request id chosen by the client, echoed in the response. */
export const requestIdSchema = z.union([z.string().min(1).max(64), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]);

export const voiceRequestSchema = z.object({
  id: requestIdSchema,
  method: z.string().min(1).max(32),
  data: z.unknown().optional(),
});

/**
 * mediasoup's own parameter objects are checked for shape only (objects, sizes); mediasoup validates their
 * contents and answers `bad_request` through the media layer.
 */
const opaque = z.record(z.string(), z.unknown());
const mediaId = z.string().min(1).max(64);

const rtpCapabilitiesSchema = z.object({ codecs: z.array(opaque).max(64).optional(), headerExtensions: z.array(opaque).max(64).optional() }).loose();
const dtlsParametersSchema = z.object({ role: z.enum(['auto', 'client', 'server']).optional(), fingerprints: z.array(opaque).min(1).max(8) }).loose();
const rtpParametersSchema = z.object({ codecs: z.array(opaque).min(1).max(32), encodings: z.array(opaque).max(8).optional() }).loose();

/** The methods and their `data`. */
export const methodSchemas = {
  /** Domain join (CONNECT, maxMembers, ...) then the room's router capabilities; with rtpCapabilities also the media join. */
  join: z
    .object({ channelId: idSchema, selfMute: z.boolean().optional(), selfDeaf: z.boolean().optional(), rtpCapabilities: rtpCapabilitiesSchema.optional() })
    .strict(),
  /** The device's capabilities (mediasoup-client `device.rtpCapabilities`, after `device.load`): the media join. */
  setRtpCapabilities: z.object({ rtpCapabilities: rtpCapabilitiesSchema }).strict(),
  createTransport: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
  connectTransport: z.object({ transportId: mediaId, dtlsParameters: dtlsParametersSchema }).strict(),
  produce: z
    .object({
      transportId: mediaId,
      kind: z.enum(['audio', 'video']),
      rtpParameters: rtpParametersSchema,
      source: z.enum(['mic', 'webcam', 'screen']),
    })
    .strict()
    .refine((d) => (d.kind === 'audio') === (d.source === 'mic'), 'the mic is audio; webcam and screen are video'),
  resumeConsumer: z.object({ consumerId: mediaId }).strict(),
  /** Simulcast consumers: the spatial (and temporal) layer wanted. */
  setPreferredLayers: z.object({ consumerId: mediaId, spatialLayer: z.number().int().min(0).max(3), temporalLayer: z.number().int().min(0).max(3).optional() }).strict(),
  setSelf: voiceSelfPatchSchema,
  leave: z.object({}).strict().optional(),
  serverMute: z.object({ userId: idSchema, mute: z.boolean() }).strict(),
  serverDeafen: z.object({ userId: idSchema, deafen: z.boolean() }).strict(),
  move: z.object({ userId: idSchema, channelId: idSchema }).strict(),
  disconnect: z.object({ userId: idSchema }).strict(),
} as const;

export type VoiceMethod = keyof typeof methodSchemas;
export type MethodData<M extends VoiceMethod> = z.infer<(typeof methodSchemas)[M]>;

export const isVoiceMethod = (method: string): method is VoiceMethod => Object.hasOwn(methodSchemas, method);

/** Error codes of the signalling layer itself; the domain's and the media layer's codes pass through unchanged. */
export const SignallingError = {
  /** `data` (or the request envelope) does not validate: `details` has the issues. */
  BAD_REQUEST: 'bad_request',
  UNKNOWN_METHOD: 'unknown_method',
  /** IDENTIFY/RESUME has not completed yet on this socket. */
  NOT_READY: 'not_ready',
  /** The method needs a voice channel joined on this socket (join first). */
  NOT_IN_VOICE: 'not_in_voice',
  /** createTransport/produce/... before setRtpCapabilities (or join with rtpCapabilities). */
  MEDIA_NOT_JOINED: 'media_not_joined',
  /** This gateway node runs no media (RUN_VOICE=false). */
  VOICE_UNAVAILABLE: 'voice_unavailable',
  /** More than MAX_IN_FLIGHT requests waiting on this socket. */
  TOO_MANY_REQUESTS: 'too_many_requests',
  INTERNAL: 'internal_error',
} as const;

/** Types of VOICE_EVENT. */
export const VoiceEventType = {
  /** A consumer to open (mediasoup-client `recvTransport.consume(data)`), then `resumeConsumer`. */
  NEW_CONSUMER: 'newConsumer',
  CONSUMER_CLOSED: 'consumerClosed',
  PRODUCER_PAUSED: 'producerPaused',
  PRODUCER_RESUMED: 'producerResumed',
  /** The media worker serving this client died: redo the media handshake (setRtpCapabilities, transports, produce). */
  RECONNECT: 'reconnect',
  /** A moderator changed this client's server mute/deafen: `{channelId, serverMute, serverDeaf, by}`. */
  MODERATED: 'moderated',
  /** Voice ended for this socket without it asking: a moderator, lost access, another socket took over. */
  DISCONNECTED: 'disconnected',
  /** A moderator moved this client: media left the old room and joined the new one; create new transports. */
  MOVED: 'moved',
} as const;

/** What went wrong, as the client reads it. */
export interface VoiceError {
  code: string;
  message: string;
  details?: unknown;
}

/** The answer to request `id` (VOICE_RESPONSE's `d`). */
export type VoiceResponse = { id: unknown; ok: true; data: unknown } | { id: unknown; ok: false; error: VoiceError };

/** A pushed event (VOICE_EVENT's `d`). */
export interface VoiceEvent {
  type: string;
  data: unknown;
}

/**
 * The one message signalling sends to the other gateway nodes (over the gateway's control channel): `userId`'s
 * voice is now held by socket `holder` (`<nodeId>:<socketId>`), so the socket holding it elsewhere lets go.
 */
export const voiceHolderMessageSchema = z.object({
  type: z.literal('voice'),
  kind: z.literal('holder'),
  nodeId: z.string(),
  userId: z.string(),
  holder: z.string(),
});
export type VoiceControlMessage = z.infer<typeof voiceHolderMessageSchema>;
