import type { types as ms } from 'mediasoup';
import type { RoomSettings } from '../media/index.ts';
import type { VoiceEvent, VoiceResponse } from './protocol.ts';

/** What signalling needs of a gateway socket: the gateway frames what it is handed (VOICE_RESPONSE, VOICE_EVENT). */
export interface VoiceClient {
  readonly id: string;
  respond(response: VoiceResponse): void;
  push(event: VoiceEvent): void;
}

/**
 * One gateway socket's voice: the channel joined through it, its media, and its requests, run one at a time with
 * the events meant for it held until the running request has been answered.
 */
export class SocketVoice {
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
  private held: VoiceEvent[] = [];

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
    if (this.running) this.held.push({ type, data });
    else this.client.push({ type, data });
  }

  /** Sends a response, then whatever events were held for it. */
  respond(response: VoiceResponse): void {
    this.client.respond(response);
    this.flush();
  }

  private flush(): void {
    const held = this.held;
    this.held = [];
    for (const event of held) this.client.push(event);
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
