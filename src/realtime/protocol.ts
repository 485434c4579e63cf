import { z } from 'zod';
import { userStatusSchema } from '../commands/users/events.ts';
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from '../events/storable-text.ts';

/**
 * The gateway protocol (ws://host:GATEWAY_PORT/gateway): JSON text frames `{op, d, s?, t?}`.
 *
 * server → client: HELLO, READY, DISPATCH (with `t` and the per-session sequence `s`), HEARTBEAT_ACK, RESUMED,
 *                  INVALID_SESSION, RECONNECT, TYPING (ephemeral, no `s`), VOICE_RESPONSE, VOICE_EVENT
 * client → server: IDENTIFY, RESUME, HEARTBEAT, PRESENCE_UPDATE, VOICE_REQUEST
 *
 * Voice signalling (VOICE_*: no `s`, not replayed) is specified in src/voice/signalling/protocol.ts.
 */
export const Op = {
  HELLO: 'HELLO',
  IDENTIFY: 'IDENTIFY',
  READY: 'READY',
  DISPATCH: 'DISPATCH',
  HEARTBEAT: 'HEARTBEAT',
  HEARTBEAT_ACK: 'HEARTBEAT_ACK',
  RESUME: 'RESUME',
  RESUMED: 'RESUMED',
  INVALID_SESSION: 'INVALID_SESSION',
  RECONNECT: 'RECONNECT',
  PRESENCE_UPDATE: 'PRESENCE_UPDATE',
  TYPING: 'TYPING',
  /** Voice signalling: `{id, method, data}` → VOICE_RESPONSE `{id, ok, data | error}`; pushed VOICE_EVENT `{type, data}`. */
  VOICE_REQUEST: 'VOICE_REQUEST',
  VOICE_RESPONSE: 'VOICE_RESPONSE',
  VOICE_EVENT: 'VOICE_EVENT',
} as const;

/**
 * Close codes. "resume" means: reconnect and send RESUME with the session id and the last `s` received;
 * "identify" means: reconnect and IDENTIFY again (the session is gone or was never made); "stop" means: do not
 * reconnect with the same credentials.
 */
export const CloseCode = {
  /** Something went wrong on our side. → resume */
  UNKNOWN_ERROR: 4000,
  /** An op the server does not know, or one a client may not send. → identify */
  UNKNOWN_OPCODE: 4001,
  /** A frame that is not valid JSON of the protocol's shape. → identify */
  DECODE_ERROR: 4002,
  /** No IDENTIFY/RESUME within the deadline, or another op before authenticating. → identify */
  NOT_AUTHENTICATED: 4003,
  /** The token is malformed, unknown, expired or revoked (also sent when it is revoked mid-session). → stop */
  AUTHENTICATION_FAILED: 4004,
  /** A second IDENTIFY or RESUME on an authenticated connection. → identify */
  ALREADY_AUTHENTICATED: 4005,
  /** Too many frames from the client. → resume */
  RATE_LIMITED: 4008,
  /** Heartbeats missed: the connection was taken for a zombie. → resume */
  SESSION_TIMED_OUT: 4009,
  /** The client read too slowly and its send buffer passed the limit. → resume */
  SLOW_CONSUMER: 4010,
  /** The session was resumed on another connection; this one is closed. → stop (the other one lives on) */
  SESSION_REPLACED: 4011,
  /** The gateway node is shutting down (sent after RECONNECT). → resume, on any node */
  SERVICE_RESTART: 1012,
} as const;

/** Codes after which the session can be resumed. */
export const RESUMABLE_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.UNKNOWN_ERROR,
  CloseCode.RATE_LIMITED,
  CloseCode.SESSION_TIMED_OUT,
  CloseCode.SLOW_CONSUMER,
  CloseCode.SERVICE_RESTART,
  1001,
  1006,
]);

const identify = z.object({ op: z.literal(Op.IDENTIFY), d: z.object({ token: z.string().min(1).max(512) }) });
const resume = z.object({
  op: z.literal(Op.RESUME),
  d: z.object({
    sessionId: z.string().regex(/^[0-9a-f]{32}$/),
    seq: z.number().int().min(0),
    /** Optional: when given it must be a valid token of the session's user. */
    token: z.string().min(1).max(512).optional(),
  }),
});
/** `d` is the last sequence number the client received (or null). */
const heartbeat = z.object({ op: z.literal(Op.HEARTBEAT), d: z.number().int().min(0).nullable().optional() });
const presenceUpdate = z.object({ op: z.literal(Op.PRESENCE_UPDATE), d: z.object({ status: userStatusSchema }) });
/** `d` is validated by voice signalling, which answers a malformed request with an error VOICE_RESPONSE. */
const voiceRequest = z.object({ op: z.literal(Op.VOICE_REQUEST), d: z.unknown() });

/** Text no store can hold is refused in every frame, `d` of VOICE_REQUEST included (its strings reach events). */
export const clientFrameSchema = z
  .discriminatedUnion('op', [identify, resume, heartbeat, presenceUpdate, voiceRequest])
  .refine((parsed) => findUnstorableText(parsed, 'frame') === null, UNSTORABLE_TEXT_MESSAGE);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type ClientFrameOf<O extends ClientFrame['op']> = Extract<ClientFrame, { op: O }>;

const CLIENT_OPS: ReadonlySet<unknown> = new Set([Op.IDENTIFY, Op.RESUME, Op.HEARTBEAT, Op.PRESENCE_UPDATE, Op.VOICE_REQUEST]);

/** A client's text frame decoded, or why the socket is closed instead. */
export function decodeClientFrame(text: string): { frame: ClientFrame } | { close: number; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { close: CloseCode.DECODE_ERROR, reason: 'frames are JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { close: CloseCode.DECODE_ERROR, reason: 'frames are JSON objects' };
  const op = (parsed as { op?: unknown }).op;
  if (!CLIENT_OPS.has(op)) return { close: CloseCode.UNKNOWN_OPCODE, reason: `unknown op ${String(op).slice(0, 32)}` };
  const result = clientFrameSchema.safeParse(parsed);
  if (!result.success) return { close: CloseCode.DECODE_ERROR, reason: `invalid ${String(op)} payload` };
  return { frame: result.data };
}

/** Names of the synthetic dispatches the gateway derives from domain events for one session. */
export const Synthetic = {
  /** The session's user became a member (join or creation): the revolt with the channels they may view. */
  REVOLT_AVAILABLE: 'RevoltAvailable',
  /** The session's user is no longer a member (left, kicked, banned, revolt deleted). */
  REVOLT_UNAVAILABLE: 'RevoltUnavailable',
  /** The channels the user may view changed (roles, overwrites, ownership). */
  CHANNEL_ACCESS_CHANGED: 'ChannelAccessChanged',
} as const;

export function frame(op: string, d: unknown = null): string {
  return JSON.stringify({ op, d });
}

/**
 * A DISPATCH frame serialised once and sent to many sessions, each with its own sequence number. `s` is the last
 * key, so the bytes before it are shared: `with(s)` writes the digits and the closing brace after them and returns
 * a view of the one buffer. uWS copies a message during `send`, so the view may be reused right after; per socket
 * there is no allocation and no re-encoding of the payload.
 */
export class DispatchFrame {
  private readonly buffer: Buffer;
  private readonly bodyLength: number;

  constructor(t: string, dJson: string) {
    const body = `{"op":"DISPATCH","t":"${t}","d":${dJson},"s":`;
    this.bodyLength = Buffer.byteLength(body);
    this.buffer = Buffer.allocUnsafe(this.bodyLength + 17);
    this.buffer.write(body, 0, 'utf8');
  }

  /** The frame numbered `s`; valid until the next call. */
  with(s: number): Buffer {
    const digits = this.buffer.write(String(s), this.bodyLength, 'latin1');
    this.buffer[this.bodyLength + digits] = 0x7d; // }
    return this.buffer.subarray(0, this.bodyLength + digits + 1);
  }

  text(s: number): string {
    return this.with(s).toString('utf8');
  }
}
