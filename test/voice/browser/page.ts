// The browser side of test/voice/browser.test.ts: a minimal voice client (bundled with mediasoup-client by esbuild
// at test time) that talks to the gateway like a real one: IDENTIFY, then voice signalling over VOICE_REQUEST.
// The test drives it through `window.voiceClient` (page.evaluate).
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';

/** The one browser global used beyond what Node's types declare (the project compiles without the DOM library). */
declare const navigator: {
  mediaDevices: { getUserMedia(constraints: object): Promise<{ getAudioTracks(): types.Producer['track'][]; getVideoTracks(): types.Producer['track'][] }> };
};

interface Frame {
  op: string;
  d: any;
  t?: string;
  s?: number;
}

interface Pending {
  resolve(data: any): void;
  reject(error: Error): void;
}

class VoiceClient {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly frameWaiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastSeq: number | null = null;
  private device: Device | undefined;
  private sendTransport: types.Transport | undefined;
  private recvTransport: types.Transport | undefined;
  private recvReady: Promise<types.Transport> | undefined;
  readonly consumers = new Map<string, types.Consumer>();
  /** VOICE_EVENT types received, in order (for the test to look at). */
  readonly events: Array<{ type: string; data: any }> = [];
  /** DISPATCH types received. */
  readonly dispatches: Array<{ t: string; d: any }> = [];
  readonly errors: string[] = [];

  async connect(url: string, token: string): Promise<{ userId: string }> {
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (message) => this.onFrame(JSON.parse(String(message.data)) as Frame);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    const hello = await this.waitFrame((f) => f.op === 'HELLO');
    this.heartbeat = setInterval(() => this.send('HEARTBEAT', this.lastSeq), Math.floor(hello.d.heartbeatInterval / 2));
    this.send('IDENTIFY', { token });
    const ready = await this.waitFrame((f) => f.op === 'READY' || f.op === 'INVALID_SESSION');
    if (ready.op !== 'READY') throw new Error('IDENTIFY refused');
    return { userId: ready.d.user.id };
  }

  /** Joins a voice channel and sets up media: device, capabilities, a send and a recv transport. */
  async join(channelId: string): Promise<any> {
    const joined = await this.request('join', { channelId });
    this.device = new Device();
    await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    await this.request('setRtpCapabilities', { rtpCapabilities: this.device.recvRtpCapabilities });
    this.recvReady = this.createTransport('recv');
    this.recvTransport = await this.recvReady;
    this.sendTransport = await this.createTransport('send');
    return joined;
  }

  /** The fake camera and microphone: audio, and video in three simulcast layers. */
  async publish(): Promise<{ audio: string; video: string }> {
    if (!this.sendTransport) throw new Error('join first');
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360, frameRate: 15 } });
    const audio = await this.sendTransport.produce({ track: stream.getAudioTracks()[0]!, appData: { source: 'mic' } });
    const video = await this.sendTransport.produce({
      track: stream.getVideoTracks()[0]!,
      encodings: [
        { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
        { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 300_000 },
        { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 900_000 },
      ],
      appData: { source: 'webcam' },
    });
    return { audio: audio.id, video: video.id };
  }

  setSelf(patch: Record<string, boolean>): Promise<any> {
    return this.request('setSelf', patch);
  }

  async leave(): Promise<any> {
    const left = await this.request('leave');
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.consumers.clear();
    return left;
  }

  /** RTP bytes received, per kind, from the recv transport's RTCPeerConnection stats (inbound-rtp). */
  async inboundBytes(): Promise<{ audio: number; video: number }> {
    const totals = { audio: 0, video: 0 };
    if (!this.recvTransport) return totals;
    const report = await this.recvTransport.getStats();
    report.forEach((stat: { type: string; kind?: string; bytesReceived?: number }) => {
      if (stat.type === 'inbound-rtp' && (stat.kind === 'audio' || stat.kind === 'video')) totals[stat.kind] += stat.bytesReceived ?? 0;
    });
    return totals;
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.ws?.close();
  }

  request(method: string, data?: unknown): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send('VOICE_REQUEST', { id, method, data });
    });
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const params = await this.request('createTransport', { direction });
    const transport = direction === 'send' ? this.device!.createSendTransport(params) : this.device!.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        this.request('produce', { transportId: transport.id, kind, rtpParameters, source: appData.source })
          .then(({ producerId }: { producerId: string }) => callback({ id: producerId }), errback);
      });
    }
    return transport;
  }

  private send(op: string, d: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, d }));
  }

  private waitFrame(match: (f: Frame) => boolean): Promise<Frame> {
    return new Promise((resolve) => this.frameWaiters.push({ match, resolve }));
  }

  private onFrame(frame: Frame): void {
    for (const waiter of [...this.frameWaiters]) {
      if (!waiter.match(frame)) continue;
      this.frameWaiters.splice(this.frameWaiters.indexOf(waiter), 1);
      waiter.resolve(frame);
    }
    if (frame.op === 'DISPATCH') {
      this.lastSeq = frame.s ?? this.lastSeq;
      this.dispatches.push({ t: frame.t!, d: frame.d });
    } else if (frame.op === 'VOICE_RESPONSE') {
      const pending = this.pending.get(frame.d.id);
      this.pending.delete(frame.d.id);
      if (frame.d.ok) pending?.resolve(frame.d.data);
      else pending?.reject(new Error(`${frame.d.error.code}: ${frame.d.error.message}`));
    } else if (frame.op === 'VOICE_EVENT') {
      this.events.push(frame.d);
      this.onVoiceEvent(frame.d.type, frame.d.data).catch((error: Error) => this.errors.push(`${frame.d.type}: ${error.message}`));
    }
  }

  private async onVoiceEvent(type: string, data: any): Promise<void> {
    if (type === 'newConsumer') {
      const transport = await this.recvReady!;
      const consumer = await transport.consume({ id: data.id, producerId: data.producerId, kind: data.kind, rtpParameters: data.rtpParameters });
      this.consumers.set(consumer.id, consumer);
      await this.request('resumeConsumer', { consumerId: consumer.id });
    } else if (type === 'consumerClosed') {
      this.consumers.get(data.consumerId)?.close();
      this.consumers.delete(data.consumerId);
    }
  }
}

(globalThis as unknown as { voiceClient: VoiceClient }).voiceClient = new VoiceClient();
