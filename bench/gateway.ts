/**
 * The realtime gateway under fan-out: SOCKETS WebSocket clients (spread over USERS users, all members of one
 * revolt) subscribed to one busy channel. Loads through the whole pipeline (HTTP send → event store → publisher
 * → Redis → gateway → per-session frames): MESSAGES messages at a steady RATE per second, then BURST messages sent
 * as fast as CONCURRENCY senders are answered. A third load isolates the gateway from the HTTP command path (which
 * saturates first on this machine): EVENTS MessageSent events appended straight to the event store in batches.
 * For each: deliveries per second and the p50/p99 time from the command's (or append's) answer to the dispatch's
 * arrival at each socket; every socket must get every message once, with unbroken sequence numbers, in the event
 * store's order. In the same run, the ceiling: the gateway's raw uWS `app.publish` of EVENTS frames of the same
 * size to the same sockets (the channel's topic), bypassing our pipeline; the clients do the same work per frame.
 *
 * Three processes on loopback only: an API node (HTTP + projections), a gateway-only node (bench/support/gateway-node.ts),
 * and this one, whose main thread sends and keeps time while CLIENT_WORKERS worker threads hold the sockets (so a
 * busy socket loop does not delay the send timestamps). Arrival times are absolute (timeOrigin + now) across
 * threads. Everything is bounded in time; the machine is shared and noisy: compare the rows of one run.
 *
 *   npm run bench:gateway   (SOCKETS=5000 USERS=20 MESSAGES=100 RATE=10 BURST=300 CONCURRENCY=8 EVENTS=1000 CLIENT_WORKERS=2)
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RawPublish } from './support/raw-publish.ts';

const now = () => performance.timeOrigin + performance.now();

/** Per-socket counters, in one shared Int32Array of SLOTS per socket (the layout bench/gateway-clients.mjs writes). */
const C = { received: 0, raw: 1, gaps: 2, order: 3, frameBytes: 4, closed: 5, lastSeq: 6, rawOrder: 7 } as const;
const SLOTS = 8;

await main();

async function main(): Promise<void> {
  const { Redis } = await import('ioredis');
  const { newId } = await import('../src/events/ids.ts');
  const { rawPublishChannel } = await import('./support/raw-publish.ts');
  const { topics } = await import('../src/realtime/dispatcher.ts');
  const { createEventStore } = await import('../src/events/store/index.ts');
  const { isolatedEngines } = await import('../test/support/engines.ts');
  const { freePort, GatewayProcess, http, ServerProcess } = await import('../test/support/process.ts');

  const SOCKETS = Number(process.env.SOCKETS ?? 5000);
  const USERS = Number(process.env.USERS ?? 20);
  const MESSAGES = Number(process.env.MESSAGES ?? 100);
  const RATE = Number(process.env.RATE ?? 10);
  const BURST = Number(process.env.BURST ?? 300);
  const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
  const EVENTS = Number(process.env.EVENTS ?? 1000);
  const WORKERS = Math.max(1, Number(process.env.CLIENT_WORKERS ?? 2));
  const APPEND_BATCH = 20;
  const TOTAL = MESSAGES + BURST + EVENTS;
  const started = Date.now();
  const deadline = started + Number(process.env.DEADLINE_MS ?? 300_000);

  const limit = Number(execSync('ulimit -n', { shell: '/bin/bash' }).toString().trim()) || 1024;
  if (SOCKETS + 300 > limit) {
    console.error(`SOCKETS=${SOCKETS} needs more file descriptors than ulimit -n allows (${limit}); raise it or lower SOCKETS`);
    process.exit(2);
  }
  const percentile = (sorted: ArrayLike<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  const cpuSeconds = (pid: number | undefined) => {
    if (!pid) return NaN;
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };

  const engines = isolatedEngines('gwbench');
  const env = {
    ...engines.env,
    RATE_LIMIT_SCALE: '100000',
    LOG_LEVEL: 'warn',
    // Long enough that the clients need not heartbeat during the run.
    GATEWAY_HEARTBEAT_MS: '300000',
    GATEWAY_MAX_BUFFERED_BYTES: String(8 * 1024 * 1024),
  };
  const api = new ServerProcess({ ...env, RUN_GATEWAY: 'false' }, await freePort());
  // GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the gateway node.
  const gateway = new GatewayProcess(env, await freePort(), (process.env.GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean), 'bench/support/gateway-node.ts');
  const redis = new Redis(engines.env.REDIS_URL);
  const workers: Worker[] = [];
  try {
    await Promise.all([api.start(60_000), gateway.start(60_000)]);
    const cpuNow = () => {
      const self = process.cpuUsage();
      return { gateway: cpuSeconds(gateway.pid), api: cpuSeconds(api.pid), clients: (self.user + self.system) / 1e6 };
    };

    const users: Array<{ id: string; token: string }> = [];
    for (let i = 0; i < USERS; i++) {
      const res = await http(api.url, 'POST', '/v1/auth/register', { body: { email: `bench${i}-${Date.now()}@example.com`, username: `bench${i}`, password: 'correct horse battery' } });
      if (res.status !== 201) throw new Error(`register: ${res.status}`);
      users.push({ id: res.body.user.id, token: res.body.token });
    }
    const owner = users[0]!;
    const revolt = await http(api.url, 'POST', '/v1/revolts', { token: owner.token, body: { name: 'Bench Rebels' } });
    const channel = revolt.body.channels[0] as string;
    // The gateway node's raw uWS publishes of frames to the channel's topic: the ceiling to compare with.
    const benchPublish = (message: Omit<RawPublish, 'topic'>) =>
      redis.publish(rawPublishChannel(engines.env.REDIS_PREFIX), JSON.stringify({ topic: topics.channel(channel), ...message } satisfies RawPublish));
    for (const user of users.slice(1)) {
      const res = await http(api.url, 'POST', `/v1/invites/${revolt.body.inviteCode}`, { token: user.token });
      if (res.status !== 200) throw new Error(`join: ${res.status}`);
    }

    // The sockets, in worker threads.
    const counters = new Int32Array(new SharedArrayBuffer(SOCKETS * SLOTS * 4));
    const arrivals = new Float64Array(new SharedArrayBuffer(TOTAL * SOCKETS * 8)).fill(Number.NaN);
    const rawLatency = new Float64Array(new SharedArrayBuffer(EVENTS * SOCKETS * 8)).fill(Number.NaN);
    const tokens = Array.from({ length: SOCKETS }, (_, i) => users[i % USERS]!.token);
    const connectStarted = now();
    await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => {
        const shared = {
          url: gateway.url,
          tokens,
          from: Math.floor((w * SOCKETS) / WORKERS),
          to: Math.floor(((w + 1) * SOCKETS) / WORKERS),
          sockets: SOCKETS,
          counters: counters.buffer as SharedArrayBuffer,
          arrivals: arrivals.buffer as SharedArrayBuffer,
          raw: rawLatency.buffer as SharedArrayBuffer,
        };
        const worker = new Worker(new URL('./gateway-clients.mjs', import.meta.url), { workerData: shared });
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        });
      }),
    );
    const connectSeconds = (now() - connectStarted) / 1000;
    console.log(`${SOCKETS} sockets identified in ${connectSeconds.toFixed(1)} s (${Math.round(SOCKETS / connectSeconds)}/s) by ${WORKERS} client threads`);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the connections' presence events settle

    const sum = (slot: number) => {
      let total = 0;
      for (let s = 0; s < SOCKETS; s++) total += Atomics.load(counters, s * SLOTS + slot);
      return total;
    };
    const answered = new Float64Array(TOTAL).fill(Number.NaN);
    const positions = new Float64Array(TOTAL);
    const send = async (i: number) => {
      const res = await http(api.url, 'POST', `/v1/channels/${channel}/messages`, { token: users[i % USERS]!.token, body: { content: `bench ${i}` } });
      if (res.status !== 201) throw new Error(`send ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      answered[i] = now();
      positions[i] = Number(res.headers.get('x-event-position'));
    };
    const waitFor = async (slot: number, expected: number) => {
      const until = Math.min(deadline, Date.now() + 90_000);
      while (Date.now() < until && sum(slot) < expected) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    /** Deliveries of messages [from, to): rate from the first send to the last arrival, answer → arrival latencies. */
    async function measure(from: number, to: number, sendStarted: number, cpu0: ReturnType<typeof cpuNow>) {
      await waitFor(C.received, SOCKETS * to);
      const cpu1 = cpuNow();
      let last = 0;
      const latencies: number[] = [];
      for (let i = from; i < to; i++) {
        for (let s = 0; s < SOCKETS; s++) {
          const t = arrivals[i * SOCKETS + s]!;
          if (Number.isNaN(t)) continue;
          last = Math.max(last, t);
          latencies.push(t - answered[i]!);
        }
      }
      latencies.sort((a, b) => a - b);
      const seconds = (last - sendStarted) / 1000;
      return row(latencies.length, SOCKETS * (to - from) - latencies.length, (to - from) / seconds, seconds, latencies, cpu0, cpu1);
    }
    function row(delivered: number, missing: number, perSecond: number, seconds: number, latencies: ArrayLike<number>, cpu0: ReturnType<typeof cpuNow>, cpu1: ReturnType<typeof cpuNow>) {
      return {
        'deliveries/s': Math.round(delivered / seconds),
        delivered,
        missing,
        'msgs/s': +perSecond.toFixed(1),
        'p50 ms': +percentile(latencies, 50).toFixed(1),
        'p99 ms': +percentile(latencies, 99).toFixed(1),
        'min ms': +(latencies[0] ?? NaN).toFixed(1),
        'gateway cpu s': +(cpu1.gateway - cpu0.gateway).toFixed(1),
        'api cpu s': +(cpu1.api - cpu0.api).toFixed(1),
        'clients cpu s': +(cpu1.clients - cpu0.clients).toFixed(1),
        'wall s': +seconds.toFixed(1),
      };
    }

    // 1. The pipeline at a steady rate.
    let cpu0 = cpuNow();
    let sendStarted = now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const wait = sendStarted + (i * 1000) / RATE - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inflight.push(send(i));
    }
    await Promise.all(inflight);
    const steady = await measure(0, MESSAGES, sendStarted, cpu0);

    // 2. The pipeline saturated by HTTP senders.
    cpu0 = cpuNow();
    sendStarted = now();
    let nextMessage = MESSAGES;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = nextMessage++; i < MESSAGES + BURST; i = nextMessage++) await send(i);
      }),
    );
    const burst = await measure(MESSAGES, MESSAGES + BURST, sendStarted, cpu0);

    // 3. The gateway pipeline without HTTP: MessageSent events appended straight to the store, in batches.
    const store = await createEventStore(engines.env.EVENTSTORE_URL);
    cpu0 = cpuNow();
    sendStarted = now();
    const first = MESSAGES + BURST;
    const batches = Math.ceil(EVENTS / APPEND_BATCH);
    let nextBatch = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let b = nextBatch++; b < batches; b = nextBatch++) {
          const indices = Array.from({ length: Math.min(APPEND_BATCH, EVENTS - b * APPEND_BATCH) }, (_, k) => first + b * APPEND_BATCH + k);
          const at = new Date().toISOString();
          const events = indices.map((i) => ({
            id: randomUUID(),
            type: 'MessageSent',
            data: { messageId: newId(), channelId: channel, revoltId: revolt.body.id, authorId: owner.id, content: `bench ${i}`, type: 'text', mentions: [], roleMentions: [], channelMentions: [], mentionEveryone: false, createdAt: at },
            metadata: { correlationId: 'bench', causationId: 'bench', actorId: owner.id, occurredAt: at, schemaVersion: 1 },
          }));
          const result = await store.appendToStream(`bench-${randomUUID()}`, events, 'no_stream');
          const t = now();
          indices.forEach((i, k) => {
            answered[i] = t;
            positions[i] = result.position - (indices.length - 1 - k);
          });
        }
      }),
    );
    await store.close();
    const direct = await measure(first, TOTAL, sendStarted, cpu0);

    const gaps = sum(C.gaps);
    const storeOrder = [...Array(TOTAL).keys()].sort((a, b) => positions[a]! - positions[b]!);
    const expected = storeOrder.reduce((h, i) => (Math.imul(h, 31) + i) | 0, 0);
    let misordered = 0;
    let closed = 0;
    for (let s = 0; s < SOCKETS; s++) {
      if (counters[s * SLOTS + C.order] !== expected) misordered++;
      if (counters[s * SLOTS + C.closed] !== 0) closed++;
    }
    const frameBytes = counters[C.frameBytes]!;

    // 4. The ceiling paced like phase 1: raw uWS publish of MESSAGES frames at RATE per second (indices 0..).
    const paced = Math.min(MESSAGES, EVENTS);
    cpu0 = cpuNow();
    let rawStart = now();
    await benchPublish({ count: paced, perTick: 1, size: frameBytes, intervalMs: 1000 / RATE });
    await waitFor(C.raw, SOCKETS * paced);
    let rawWall = (now() - rawStart) / 1000;
    let cpu1 = cpuNow();
    const pacedMs = Float64Array.from(rawLatency.subarray(0, paced * SOCKETS).filter((v) => !Number.isNaN(v))).sort();
    const rawPaced = row(pacedMs.length, SOCKETS * paced - pacedMs.length, paced / rawWall, rawWall, pacedMs, cpu0, cpu1);
    rawLatency.fill(Number.NaN);
    for (let s = 0; s < SOCKETS; s++) Atomics.store(counters, s * SLOTS + C.raw, 0);

    // 5. The ceiling: raw uWS publish of EVENTS frames of the same size to the same sockets, as fast as it goes.
    cpu0 = cpuNow();
    rawStart = now();
    await benchPublish({ count: EVENTS, perTick: 20, size: frameBytes });
    await waitFor(C.raw, SOCKETS * EVENTS);
    rawWall = (now() - rawStart) / 1000;
    cpu1 = cpuNow();
    const rawMs = Float64Array.from(rawLatency.filter((v) => !Number.isNaN(v))).sort();
    // The rate over the span of arrivals: publish start to the last arrival (the sampling loop adds up to 50 ms).
    const raw = row(rawMs.length, SOCKETS * EVENTS - rawMs.length, EVENTS / rawWall, rawWall, rawMs, cpu0, cpu1);

    console.log(
      `\ngateway benchmark: ${SOCKETS} sockets (${USERS} users) on one channel; node ${process.version}, ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ulimit -n ${limit}`,
    );
    console.table({
      [`pipeline: steady ${RATE} msg/s × ${MESSAGES} (HTTP)`]: steady,
      [`pipeline: burst ${BURST} msgs, ${CONCURRENCY} HTTP senders`]: burst,
      [`ceiling paced: raw app.publish ${RATE}/s × ${paced}`]: rawPaced,
      [`pipeline from the store: ${EVENTS} events appended`]: direct,
      [`ceiling: raw uWS app.publish × ${EVENTS} (${frameBytes} B)`]: raw,
    });
    console.log(`latency: answer of the send (or append) → arrival at the socket; for the ceiling, app.publish → arrival (whole ms)`);
    console.log(`checks: ${gaps} sequence gaps, ${misordered} sockets saw another order than the event store's, ${closed} sockets closed`);
    console.log(`pipeline from the store / ceiling: ${(direct['deliveries/s'] / raw['deliveries/s']).toFixed(2)}x deliveries/s`);
    const perDelivery = (r: typeof raw) => ((r['gateway cpu s'] / r.delivered) * 1e6).toFixed(2);
    console.log(
      `gateway cpu per delivery (µs): steady ${perDelivery(steady)} vs paced ceiling ${perDelivery(rawPaced)}; from the store ${perDelivery(direct)} vs ceiling ${perDelivery(raw)}`,
    );
    console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.postMessage('close');
            setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
          }),
      ),
    );
    await Promise.allSettled([gateway.stop('SIGTERM'), api.stop('SIGTERM')]);
    redis.disconnect();
    await engines.drop();
  }
}
