// RTP by hand, for tests and the benchmark: an Opus stream (20 ms packets, optionally with the ssrc-audio-level
// header extension that mediasoup's AudioLevelObserver reads) sent from a UDP socket, and UDP sinks that count
// what arrives.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { once } from 'node:events';
import type { types as ms } from 'mediasoup';

export const LOOPBACK = '127.0.0.1';
export const OPUS_PT = 100;
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const AUDIO_LEVEL_ID = 1;

/** What a PlainTransport producer of our Opus stream declares. */
export function opusRtpParameters(ssrc: number, audioLevel = true): ms.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2, parameters: {} }],
    encodings: [{ ssrc }],
    headerExtensions: audioLevel ? [{ uri: AUDIO_LEVEL_URI as ms.RtpHeaderExtensionUri, id: AUDIO_LEVEL_ID }] : [],
    rtcp: { cname: `rtp-${ssrc}` },
  };
}

/**
 * One Opus RTP packet: 20 ms at 48 kHz; `level` (0 = loudest .. 127 = silence, in -dBov) adds the RFC 6464 audio
 * level in a one-byte header extension.
 */
export function opusPacket(seq: number, ssrc: number, level: number | undefined, payloadBytes = 80): Buffer {
  const withLevel = level !== undefined;
  const header = Buffer.alloc(withLevel ? 20 : 12);
  header[0] = withLevel ? 0x90 : 0x80; // V=2, X when the extension is there
  header[1] = OPUS_PT;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 960) >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  if (withLevel) {
    header.writeUInt16BE(0xbede, 12); // one-byte header extensions
    header.writeUInt16BE(1, 14); // one 32-bit word
    header[16] = (AUDIO_LEVEL_ID << 4) | 0; // id, length-1
    header[17] = 0x80 | Math.max(0, Math.min(127, level)); // V (voice activity) + level
  }
  // A TOC byte (CELT fullband 20 ms, one frame), then noise.
  return Buffer.concat([header, Buffer.from([0xfc]), randomBytes(payloadBytes - 1)]);
}

export async function udpSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, LOOPBACK);
  await once(socket, 'listening');
  return socket;
}

/** Sends a 50 packets/s Opus stream to a port until stopped. */
export class OpusSender {
  sent = 0;
  /** The audio level put in each packet (undefined: no extension). */
  level: number | undefined;
  private seq = Math.floor(Math.random() * 30000);
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly socket: dgram.Socket,
    readonly ssrc: number,
    level: number | undefined,
  ) {
    this.level = level;
  }

  static async open(ssrc: number, level: number | undefined = 127): Promise<OpusSender> {
    return new OpusSender(await udpSocket(), ssrc, level);
  }

  /** Every 20 ms: `perTick` packets of `payloadBytes` (1 × 80 B is a 32 kbit/s voice; 5 × 1100 B is ~2.2 Mbit/s, like video). */
  start(port: number, ip = LOOPBACK, { perTick = 1, payloadBytes = 80 }: { perTick?: number; payloadBytes?: number } = {}): void {
    this.stop();
    this.timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) this.socket.send(opusPacket(this.seq++, this.ssrc, this.level, payloadBytes), port, ip);
      this.sent += perTick;
    }, 20);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    this.socket.close();
  }
}

export const isRtcp = (packet: Buffer) => packet.length >= 2 && packet[1]! >= 192 && packet[1]! <= 223;

/** Counts the RTP (not RTCP) that reaches a UDP socket. */
export class RtpSink {
  packets = 0;
  bytes = 0;

  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (packet) => {
      if (isRtcp(packet)) return;
      this.packets += 1;
      this.bytes += packet.length;
    });
  }

  static async open(): Promise<RtpSink> {
    return new RtpSink(await udpSocket());
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }
}

/** Polls until check() is true, or fails with what describe() says. */
export async function waitFor(check: () => boolean, describe: () => string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many packets a sink receives over `ms` milliseconds. */
export async function packetsDuring(sink: RtpSink, ms: number): Promise<number> {
  const before = sink.packets;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return sink.packets - before;
}
