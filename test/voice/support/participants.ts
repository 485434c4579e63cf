// Participants driven over PlainTransports: the media layer exactly as signalling uses it, with RTP from Node's
// dgram instead of a browser.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pino } from 'pino';
import { VoiceMedia, type ConsumerParams, type VoiceMediaOptions } from '../../../src/voice/media/index.ts';
import { LOOPBACK, OpusSender, opusRtpParameters, RtpSink } from './rtp.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The worker our code would use (scripts/mediasoup-worker.sh path), if there is one that runs. */
export function workerBin(): string | undefined {
  try {
    return execFileSync('bash', [join(ROOT, 'scripts/mediasoup-worker.sh'), 'path'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const WORKER_BIN = workerBin();

export async function startMedia(options: Partial<VoiceMediaOptions> = {}): Promise<VoiceMedia> {
  const media = await VoiceMedia.start({
    nodeId: 'test-node',
    logger: pino({ level: process.env.VOICE_TEST_LOG ?? 'silent' }),
    workers: 1,
    workerBin: WORKER_BIN!,
    ...options,
  });
  media.setMaxListeners(0); // every PlainTransportParticipant listens
  return media;
}

let nextSsrc = 0x1000_0000 + Math.floor(Math.random() * 0x1000_0000);

/** One participant of a room, its media on PlainTransports: RTP sent from and received into this process. */
export class PlainTransportParticipant {
  readonly consumers: ConsumerParams[] = [];
  sink: RtpSink | undefined;
  sender: OpusSender | undefined;
  producerId: string | undefined;

  private constructor(
    readonly media: VoiceMedia,
    readonly channelId: string,
    readonly userId: string,
  ) {
    media.on('consumerCreated', (channel, user, consumer) => {
      if (channel === channelId && user === userId) this.consumers.push(consumer);
    });
  }

  /** Joins the room; with `receive`, a recv transport to a local sink, every consumer resumed as it comes. */
  static async join(media: VoiceMedia, channelId: string, userId: string, options: { receive?: boolean } = {}): Promise<PlainTransportParticipant> {
    const peer = new PlainTransportParticipant(media, channelId, userId);
    const rtpCapabilities = await media.routerRtpCapabilities(channelId);
    await media.join(channelId, userId, { rtpCapabilities });
    if (options.receive) await peer.receive();
    return peer;
  }

  async receive(): Promise<void> {
    this.sink = await RtpSink.open();
    this.media.on('consumerCreated', (channel, user, consumer) => {
      if (channel === this.channelId && user === this.userId) void this.media.resumeConsumer(channel, user, consumer.id).catch(() => undefined);
    });
    const transport = await this.media.createPlainTransport(this.channelId, this.userId, 'recv');
    await this.media.connectPlainTransport(this.channelId, this.userId, transport.id, { ip: LOOPBACK, port: this.sink.port });
  }

  /** Produces a mic from a 50 packets/s Opus stream (audio level: 127 = silence, lower = louder). */
  async speak(level = 127): Promise<string> {
    const ssrc = nextSsrc++;
    this.sender = await OpusSender.open(ssrc, level);
    const { ip, port } = await this.produceMic(ssrc);
    this.sender.start(port, ip);
    return this.producerId!;
  }

  /** A mic producer on a comedia PlainTransport, for RTP with this SSRC: where to send it. */
  async produceMic(ssrc: number, audioLevel = true): Promise<{ ip: string; port: number }> {
    const transport = await this.media.createPlainTransport(this.channelId, this.userId, 'send', { comedia: true });
    const { producerId } = await this.media.produce(this.channelId, this.userId, transport.id, {
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusRtpParameters(ssrc, audioLevel),
    });
    this.producerId = producerId;
    return transport;
  }

  close(): void {
    this.sender?.close();
    this.sink?.close();
  }
}
