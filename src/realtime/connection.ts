import { randomBytes } from 'node:crypto';
import { CloseCode, type DispatchFrame } from './protocol.ts';
import type { Connection, Session } from './session.ts';
import type { WebSocket } from './uws.ts';

/** Frames a client may send per window before it is closed with RATE_LIMITED. */
const FRAME_LIMIT = 60;
const FRAME_WINDOW_MS = 10_000;

/** uWS user data: the connection behind each socket. */
export interface SocketData {
  connection: SocketConnection;
}

/** Where a socket is in the protocol: waiting for IDENTIFY/RESUME, handling one, or holding a live session. */
export type Phase = 'hello' | 'authenticating' | 'ready';

/** One WebSocket: its protocol phase, heartbeats, rate budget and backpressure. */
export class SocketConnection implements Connection {
  readonly id = randomBytes(8).toString('hex');
  ws: WebSocket<SocketData> | undefined;
  open = false;
  phase: Phase = 'hello';
  session: Session | undefined;
  helloAt = Date.now();
  lastBeat = Date.now();
  /** The user this socket counts as connected (presence), once it has a session. */
  presenceUser: string | undefined;
  private windowStart = Date.now();
  private frames = 0;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly maxBuffered: number) {}

  opened(ws: WebSocket<SocketData>): void {
    this.ws = ws;
    this.open = true;
    this.helloAt = this.lastBeat = Date.now();
  }

  closed(): void {
    this.open = false;
    this.ws = undefined;
    this.drainedNow();
  }

  /** Counts a frame from the client; false when over budget. */
  budget(now: number): boolean {
    if (now - this.windowStart > FRAME_WINDOW_MS) {
      this.windowStart = now;
      this.frames = 0;
    }
    return ++this.frames <= FRAME_LIMIT;
  }

  send(message: string): void {
    const ws = this.ws;
    if (!this.open || !ws) return;
    let dropped = false;
    ws.cork(() => {
      dropped = ws.send(message) === 2;
    });
    if (dropped || ws.getBufferedAmount() > this.maxBuffered) this.close(CloseCode.SLOW_CONSUMER, 'send buffer full: resume');
  }

  sendDispatches(frames: readonly DispatchFrame[], seqs: readonly number[]): boolean {
    const ws = this.ws;
    if (!this.open || !ws) return false;
    const maxBuffered = this.maxBuffered;
    let over = false;
    ws.cork(() => {
      for (let i = 0; i < frames.length; i++) {
        // Once past the limit the socket is closed: the rest of the batch is lost anyway (the client resumes it),
        // and writing it would push the buffer past uWS's maxBackpressure, where uWS drops the close frame too (the
        // client would see 1006 after a timeout instead of 4010). A batch grows with load. Status 0 is backpressure.
        const status = ws.send(frames[i]!.with(seqs[i]!));
        if (status === 2 || (status === 0 && ws.getBufferedAmount() > maxBuffered)) {
          over = true;
          break;
        }
      }
    });
    if (over || ws.getBufferedAmount() > maxBuffered) {
      this.close(CloseCode.SLOW_CONSUMER, 'send buffer full: resume');
      return false;
    }
    return true;
  }

  close(code: number, reason: string): void {
    if (!this.open || !this.ws) return;
    this.ws.end(code, reason);
  }

  bufferedAmount(): number {
    return this.open && this.ws ? this.ws.getBufferedAmount() : 0;
  }

  drained(): Promise<void> {
    if (this.bufferedAmount() === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  drainedNow(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  subscribe(topic: string): void {
    if (this.open) this.ws?.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (this.open) this.ws?.unsubscribe(topic);
  }
}
