// The mediasoup workers of this process: one per core by default, each with a WebRtcServer (one UDP and one TCP
// port serve every WebRTC transport on that worker). A worker that dies is replaced by a new one in the same slot
// (same ports when they were fixed); the pool tells its owner first, so rooms on it can be recreated elsewhere.
import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { VoiceMediaError, type WorkerStats } from './types.ts';

export interface WorkerSlot {
  readonly index: number;
  readonly worker: ms.Worker;
  readonly webRtcServer: ms.WebRtcServer;
  readonly udpPort: number;
  readonly tcpPort: number;
  /** Producers + consumers (of every kind: WebRTC, plain, pipe) currently on this worker. */
  load: number;
  routers: number;
}

export interface WorkerPoolOptions {
  size: number;
  listenIp: string;
  announcedAddress?: string;
  /** First WebRtcServer port (worker i: rtcPort + i); 0/undefined: ports picked by the worker. */
  rtcPort?: number;
  workerBin?: string;
  logLevel: ms.WorkerLogLevel;
  logger: Logger;
}

interface PoolEvents {
  /** The worker of this slot died; its routers are already closed. A replacement is being started. */
  died: [slot: WorkerSlot, error: Error];
}

const RESTART_DELAYS_MS = [0, 250, 1000, 5000];

export class WorkerPool extends EventEmitter<PoolEvents> {
  private readonly slots: Array<WorkerSlot | undefined>;
  private readonly restarting = new Map<number, Promise<WorkerSlot | undefined>>();
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions) {
    super();
    this.slots = new Array<WorkerSlot | undefined>(options.size).fill(undefined);
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`voice workers must be >= 1, got ${options.size}`);
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.slots.map(async (_, index) => (pool.slots[index] = await pool.spawn(index))));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  live(): WorkerSlot[] {
    return this.slots.filter((s): s is WorkerSlot => s !== undefined && !s.worker.closed);
  }

  /**
   * The least-loaded live worker, preferring those not in `avoid` (workers already serving a room). Waits for a
   * replacement when every worker is down (a single-worker process whose worker just died).
   */
  async pick(avoid: ReadonlySet<number> = new Set()): Promise<WorkerSlot> {
    let live = this.live();
    if (live.length === 0) {
      await Promise.all(this.restarting.values());
      live = this.live();
    }
    if (live.length === 0) throw new VoiceMediaError(this.closed ? 'closed' : 'unavailable', 'no live mediasoup worker');
    const preferred = live.filter((s) => !avoid.has(s.index));
    return (preferred.length > 0 ? preferred : live).reduce((best, s) => (s.load < best.load ? s : best));
  }

  totalLoad(): number {
    return this.live().reduce((sum, s) => sum + s.load, 0);
  }

  async stats(): Promise<WorkerStats[]> {
    return Promise.all(
      this.live().map(async (s) => {
        const usage = await s.worker.getResourceUsage();
        return {
          index: s.index,
          pid: s.worker.pid,
          load: s.load,
          routers: s.routers,
          cpuUserMs: usage.ru_utime,
          cpuSystemMs: usage.ru_stime,
          udpPort: s.udpPort,
          tcpPort: s.tcpPort,
        };
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) slot?.worker.close();
    await Promise.allSettled(this.restarting.values());
  }

  private async spawn(index: number): Promise<WorkerSlot> {
    const { options } = this;
    const worker = await mediasoup.createWorker({
      logLevel: options.logLevel,
      ...(options.workerBin ? { workerBin: options.workerBin } : {}),
      appData: { index },
    });
    try {
      const port = options.rtcPort ? options.rtcPort + index : undefined;
      const listen = { ip: options.listenIp, ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}) };
      const webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ...listen, ...(port ? { port } : {}) },
          { protocol: 'tcp', ...listen, ...(port ? { port } : {}) },
        ],
      });
      const dump = await webRtcServer.dump();
      const slot: WorkerSlot = {
        index,
        worker,
        webRtcServer,
        udpPort: dump.udpSockets[0]?.port ?? 0,
        tcpPort: dump.tcpServers[0]?.port ?? 0,
        load: 0,
        routers: 0,
      };
      trackLoad(slot);
      worker.on('died', (error) => this.onDied(slot, error));
      options.logger.info({ worker: index, pid: worker.pid, udpPort: slot.udpPort, tcpPort: slot.tcpPort }, 'mediasoup worker up');
      return slot;
    } catch (error) {
      worker.close();
      throw error;
    }
  }

  private onDied(slot: WorkerSlot, error: Error): void {
    if (this.slots[slot.index] !== slot) return;
    this.options.logger.error({ worker: slot.index, pid: slot.worker.pid, err: error }, 'mediasoup worker died; replacing it');
    this.slots[slot.index] = undefined;
    const restart = this.restart(slot.index);
    this.restarting.set(slot.index, restart);
    void restart.finally(() => this.restarting.delete(slot.index));
    this.emit('died', slot, error);
  }

  private async restart(index: number): Promise<WorkerSlot | undefined> {
    for (const delay of RESTART_DELAYS_MS) {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closed) return undefined;
      try {
        const slot = await this.spawn(index);
        if (this.closed) {
          slot.worker.close();
          return undefined;
        }
        this.slots[index] = slot;
        return slot;
      } catch (error) {
        this.options.logger.error({ worker: index, err: error }, 'could not start a replacement mediasoup worker');
      }
    }
    return undefined;
  }
}

/** Keeps slot.load (producers + consumers) and slot.routers current through mediasoup's observer events. */
function trackLoad(slot: WorkerSlot): void {
  const count = (emitter: { observer: { once(event: 'close', fn: () => void): unknown } }) => {
    slot.load += 1;
    emitter.observer.once('close', () => (slot.load -= 1));
  };
  slot.worker.observer.on('newrouter', (router) => {
    slot.routers += 1;
    router.observer.once('close', () => (slot.routers -= 1));
    router.observer.on('newtransport', (transport) => {
      transport.observer.on('newproducer', count);
      transport.observer.on('newconsumer', count);
    });
  });
}
