// Gateway sockets kept open across the chaos phases: each reconnects when its socket drops and RESUMEs its session
// with the last sequence number it saw, as a client does. What they received is checked against the store.
import { WebSocket } from 'ws';

interface Frame {
  op: string;
  t?: string;
  s?: number;
  d?: any;
}

export class Watcher {
  private socket: WebSocket | undefined;
  private sessionId: string | undefined;
  private seq = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  /** When the node last answered: a node silent for three heartbeat intervals is a zombie, left for another. */
  private lastHeard = Date.now();
  private closed = false;
  /** Message ids in the order their MessageSent dispatches arrived. */
  readonly messages: string[] = [];
  /** Sequence numbers that did not follow the previous one by exactly 1. */
  readonly gaps: string[] = [];
  resumes = 0;
  /** RESUMEs the gateway refused (INVALID_SESSION): the session and what it may have missed are lost. */
  readonly refusedResumes: string[] = [];

  constructor(
    private readonly url: () => string,
    private readonly token: string,
  ) {}

  /** Connects and IDENTIFYs; resolves at READY. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.connect(() => resolve());
      setTimeout(() => reject(new Error('no READY within 60 s')), 60_000).unref();
    });
  }

  private connect(onReady?: () => void): void {
    if (this.closed) return;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.on('message', (data) => {
      this.lastHeard = Date.now();
      this.receive(JSON.parse(String(data)) as Frame, socket, onReady);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(this.heartbeat);
      if (this.closed || this.socket !== socket) return;
      setTimeout(() => this.connect(onReady), 250);
    });
  }

  private send(socket: WebSocket, op: string, d: unknown): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ op, d }));
  }

  private receive(frame: Frame, socket: WebSocket, onReady?: () => void): void {
    switch (frame.op) {
      case 'HELLO':
        clearInterval(this.heartbeat);
        this.heartbeat = setInterval(() => {
          if (Date.now() - this.lastHeard > 3 * frame.d.heartbeatInterval) socket.terminate();
          else this.send(socket, 'HEARTBEAT', this.seq);
        }, Math.max(1000, frame.d.heartbeatInterval * 0.5));
        if (this.sessionId) {
          this.resumes++;
          this.send(socket, 'RESUME', { sessionId: this.sessionId, seq: this.seq, token: this.token });
        } else this.send(socket, 'IDENTIFY', { token: this.token });
        return;
      case 'READY':
        this.sessionId = frame.d.sessionId;
        this.seq = 0;
        onReady?.();
        return;
      case 'INVALID_SESSION':
        this.refusedResumes.push(`session ${this.sessionId} refused at seq ${this.seq}`);
        this.sessionId = undefined;
        this.send(socket, 'IDENTIFY', { token: this.token });
        return;
      case 'RECONNECT':
        socket.close();
        return;
      case 'DISPATCH':
        if (frame.s !== this.seq + 1) this.gaps.push(`after ${this.seq} came ${frame.s} (${frame.t})`);
        this.seq = Math.max(this.seq, frame.s ?? this.seq);
        if (frame.t === 'MessageSent') this.messages.push(frame.d.messageId);
        return;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.socket?.close();
  }
}

/**
 * What a watcher of the revolt must have seen: every message of the channel in store order, each once. A watcher
 * whose RESUME was refused lost its session; it is reported, and its check starts at its new session.
 */
export function checkWatcher(watcher: Watcher, storeOrder: readonly string[]): string[] {
  const problems = [...watcher.gaps.map((gap) => `sequence gap: ${gap}`), ...watcher.refusedResumes];
  const seen = new Set<string>();
  for (const id of watcher.messages) {
    if (seen.has(id)) problems.push(`message ${id} dispatched twice`);
    seen.add(id);
  }
  if (watcher.refusedResumes.length === 0) {
    const missing = storeOrder.filter((id) => !seen.has(id));
    if (missing.length > 0) problems.push(`${missing.length} messages never dispatched (e.g. ${missing[0]})`);
    const order = watcher.messages.filter((id) => storeOrder.includes(id));
    const expected = storeOrder.filter((id) => seen.has(id));
    if (order.join() !== expected.join()) problems.push('messages dispatched out of store order');
  }
  return problems;
}
