import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { Gateway, type GatewayOptions } from '../../src/realtime/gateway.ts';
import { startTestServer } from '../support/api.ts';

export interface Frame {
  op: string;
  d: any;
  s?: number;
  t?: string;
}

/** A test server on isolated engines with `nodes` gateway nodes (free ports) beside its in-process API. */
export async function startGatewayServer(label: string, env: Record<string, string> = {}, nodes: GatewayOptions[] = [{}]) {
  const test = await startTestServer(label, { GATEWAY_PORT: '0', ...env });
  const gateways: Gateway[] = [];
  try {
    for (const options of nodes) gateways.push(await Gateway.start(test.server.services, options));
  } catch (error) {
    await Promise.allSettled(gateways.map((g) => g.close()));
    await test.close();
    throw error;
  }
  return {
    ...test,
    gateways,
    gateway: gateways[0]!,
    url: (node = 0) => `ws://127.0.0.1:${gateways[node]!.port}/gateway`,
    async close() {
      await Promise.allSettled(gateways.map((g) => g.close()));
      await test.close();
    },
  };
}

export type GatewayServer = Awaited<ReturnType<typeof startGatewayServer>>;

/** IDENTIFY on `url` with `token`, expecting READY; the client joins `clients` (for closeAll). */
export async function identified(clients: GatewayClient[], url: string, token: string) {
  const { client, ready } = await GatewayClient.identify(url, token);
  expect(ready.op).toBe('READY');
  clients.push(client);
  return { client, ready, sessionId: ready.d.sessionId as string };
}

/** For afterAll: the test's clients first (clean closes), then the server (if it started). */
export async function closeAll(clients: readonly GatewayClient[], server: { close(): Promise<void> } | undefined): Promise<void> {
  await Promise.allSettled(clients.map((c) => c.close()));
  await server?.close();
}

/**
 * How long a handshake may take before the test gives up: generous, since waiting longer for READY or RESUMED proves
 * no less (a RESUME may wait 3 s for a dead node, then replay from the store, on a machine under load).
 */
const HANDSHAKE_TIMEOUT_MS = 30_000;

/** A protocol client over `ws`: records every frame, answers nothing by itself except optional heartbeats. */
export class GatewayClient {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  private heartbeat: NodeJS.Timeout | undefined;
  closeCode: number | undefined;
  closeReason = '';
  /** Whether heartbeats carry the last `s` received (acknowledging it); false sends null, acknowledging nothing. */
  acknowledge = true;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        clearInterval(this.heartbeat);
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.wake();
        resolve({ code, reason: this.closeReason });
      }),
    );
  }

  static async connect(url: string): Promise<GatewayClient> {
    const ws = new WebSocket(url);
    const client = new GatewayClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Connects and IDENTIFYs; resolves with READY. Heartbeats are sent unless told otherwise. */
  static async identify(url: string, token: string, options: { heartbeat?: boolean } = {}): Promise<{ client: GatewayClient; ready: Frame }> {
    const client = await GatewayClient.connect(url);
    const hello = await client.next((f) => f.op === 'HELLO', HANDSHAKE_TIMEOUT_MS);
    if (options.heartbeat !== false) client.startHeartbeats(hello.d.heartbeatInterval);
    client.send('IDENTIFY', { token });
    const ready = await client.next((f) => f.op === 'READY' || f.op === 'INVALID_SESSION', HANDSHAKE_TIMEOUT_MS);
    return { client, ready };
  }

  /** Connects and RESUMEs; resolves once RESUMED or INVALID_SESSION arrives. */
  static async resume(url: string, sessionId: string, seq: number, extra: Record<string, unknown> = {}): Promise<{ client: GatewayClient; outcome: Frame }> {
    const client = await GatewayClient.connect(url);
    const hello = await client.next((f) => f.op === 'HELLO', HANDSHAKE_TIMEOUT_MS);
    client.startHeartbeats(hello.d.heartbeatInterval);
    client.send('RESUME', { sessionId, seq, ...extra });
    const outcome = await client.next((f) => f.op === 'RESUMED' || f.op === 'INVALID_SESSION', HANDSHAKE_TIMEOUT_MS);
    return { client, outcome };
  }

  startHeartbeats(interval: number): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (this.ws.readyState === WebSocket.OPEN) this.send('HEARTBEAT', this.acknowledge ? this.lastSeq : null);
    }, Math.max(20, Math.floor(interval / 2)));
  }

  stopHeartbeats(): void {
    clearInterval(this.heartbeat);
  }

  send(op: string, d: unknown = null): void {
    this.ws.send(JSON.stringify({ op, d }));
  }

  get dispatches(): Frame[] {
    return this.frames.filter((f) => f.op === 'DISPATCH');
  }

  get lastSeq(): number {
    return this.dispatches.at(-1)?.s ?? 0;
  }

  /** Dispatches of type `t` (optionally matching `where`). */
  of(t: string, where: (d: any) => boolean = () => true): Frame[] {
    return this.dispatches.filter((f) => f.t === t && where(f.d));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves with the first frame (from the start, or after `from`) matching `match`. */
  next(match: (f: Frame) => boolean, timeoutMs = 30_000, from = 0): Promise<Frame> {
    return this.until(
      () => this.frames.slice(from).find(match),
      timeoutMs,
      () => `closed (${this.closeCode} ${this.closeReason}) while waiting; frames: ${this.summary()}`,
      () => `timed out waiting for a frame; got: ${this.summary()}`,
    );
  }

  /** Waits until `count` dispatches match. */
  waitFor(count: number, match: (f: Frame) => boolean, timeoutMs = 30_000): Promise<Frame[]> {
    const found = () => this.dispatches.filter(match);
    return this.until(
      () => {
        const frames = found();
        return frames.length >= count ? frames : undefined;
      },
      timeoutMs,
      () => `closed (${this.closeCode} ${this.closeReason}) with ${found().length}/${count}`,
      () => `timed out with ${found().length}/${count} matching dispatches; last: ${this.summary()}`,
    );
  }

  /** Re-checks `find` on every frame (and on close) until it finds something, the socket closes, or time runs out. */
  private async until<T>(find: () => T | undefined, timeoutMs: number, closedError: () => string, timeoutError: () => string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (this.closeCode !== undefined) throw new Error(closedError());
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(timeoutError());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  summary(): string {
    return this.frames
      .slice(-12)
      .map((f) => `${f.op}${f.t ? `:${f.t}` : ''}${f.s ? `#${f.s}` : ''}`)
      .join(' ');
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms; frames: ${this.summary()}`)), timeoutMs)),
    ]);
  }

  /** A clean close from the client. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000);
    await this.closed;
  }

  /** Drops the TCP connection without a close handshake (a network failure). */
  async drop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.ws.terminate();
    await this.closed;
  }
}

/** Polls `check` until it returns a truthy value. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
