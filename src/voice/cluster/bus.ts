// Messages between voice nodes over Redis pub/sub: each node listens on <prefix>:voice:rpc:<nodeId>.
// Requests get a reply (or time out); one-way messages from one node to another arrive in the order they were sent
// (one publishing connection, one subscribing connection).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { VoiceMediaError } from '../media/types.ts';

/** What a node sends: an operation and its fields. */
export interface OutgoingMessage {
  op: string;
  [field: string]: unknown;
}

/** What a node receives: the same, with the sender's nodeId. */
export interface BusMessage extends OutgoingMessage {
  from: string;
}

type Envelope =
  | { kind: 'req'; id: string; message: BusMessage }
  | { kind: 'res'; id: string; ok: true; result: unknown }
  | { kind: 'res'; id: string; ok: false; error: { code: string; message: string } }
  | { kind: 'msg'; message: BusMessage };

export type BusHandler = (message: BusMessage) => Promise<unknown> | void;

export class ClusterBus {
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly base: string,
    private readonly nodeId: string,
    private readonly logger: Logger,
    private readonly handler: BusHandler,
  ) {}

  static async start(redis: Redis, prefix: string, nodeId: string, logger: Logger, handler: BusHandler): Promise<ClusterBus> {
    const sub = redis.duplicate();
    const bus = new ClusterBus(redis, sub, `${prefix}:voice:rpc`, nodeId, logger, handler);
    sub.on('message', (_channel: string, raw: string) => bus.receive(raw));
    await sub.subscribe(`${bus.base}:${nodeId}`);
    return bus;
  }

  async request<T>(to: string, message: OutgoingMessage, timeoutMs = 5000): Promise<T> {
    const id = randomUUID();
    const result = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VoiceMediaError('unavailable', `voice node ${to} did not answer ${message.op} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    });
    const listeners = await this.publish(to, { kind: 'req', id, message: { ...message, from: this.nodeId } });
    if (listeners === 0) this.settle(id, new VoiceMediaError('unavailable', `voice node ${to} is not listening`));
    return result;
  }

  send(to: string, message: OutgoingMessage): void {
    this.publish(to, { kind: 'msg', message: { ...message, from: this.nodeId } }).catch((error) =>
      this.logger.warn({ to, op: message.op, err: error }, 'voice cluster: could not send'),
    );
  }

  async close(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.settle(id, new VoiceMediaError('closed', 'voice cluster closing'));
    await this.sub.quit().catch(() => this.sub.disconnect());
  }

  private publish(to: string, envelope: Envelope): Promise<number> {
    return this.pub.publish(`${this.base}:${to}`, JSON.stringify(envelope));
  }

  private settle(id: string, outcome: Error | { value: unknown }): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome.value);
  }

  private receive(raw: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (envelope.kind === 'res') {
      this.settle(envelope.id, envelope.ok ? { value: envelope.result } : new VoiceMediaError(envelope.error.code as never, envelope.error.message));
      return;
    }
    const { message } = envelope;
    let handled: Promise<unknown>;
    try {
      handled = Promise.resolve(this.handler(message)); // called synchronously: arrival order is kept
    } catch (error) {
      handled = Promise.reject(error);
    }
    if (envelope.kind === 'msg') {
      handled.catch((error) => this.logger.warn({ op: message.op, from: message.from, err: error }, 'voice cluster: message failed'));
      return;
    }
    const { id } = envelope;
    handled.then(
      (result) => this.publish(message.from, { kind: 'res', id, ok: true, result: result ?? null }),
      (error: unknown) => {
        const code = error instanceof VoiceMediaError ? error.code : 'unavailable';
        const text = error instanceof Error ? error.message : String(error);
        return this.publish(message.from, { kind: 'res', id, ok: false, error: { code, message: text } });
      },
    ).catch((error) => this.logger.warn({ err: error }, 'voice cluster: could not reply'));
  }
}
