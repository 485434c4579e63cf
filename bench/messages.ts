/**
 * Message send throughput (messages/s) and p50/p99 latency at 1, 10 and 100 concurrent senders, through the
 * whole HTTP command path (auth, rate limit, zod, revolt load, decide, append), against an in-process server on
 * its own isolated engines (dropped at the end). Baseline measured in the same run at the same concurrencies:
 * raw event-store appends of one event to a new stream, the floor under a send. The machine is noisy: compare
 * the ratios. Each phase runs PHASE_MS (default 4000); the projections catch up between phases, so every phase
 * starts from an idle system. About a minute in all.
 *
 * Then the sustained rate (bench/support/sustained.ts): a server of its own in a separate process, as production runs
 * it (achievements and the gateway's publisher on), sent SUSTAINED_RATE messages/s over HTTP for SUSTAINED_MS by
 * USERS members; printed: one sender's latency alone, the rate achieved, send p50/p99, every lane's lag p50/p99, the
 * send → read latency of another member reading with X-Min-Position, and the CPU milliseconds per message of each
 * process (ours, FerretDB, PostgreSQL, Redis) until every lane has applied every message. A few minutes.
 *
 *   node --import tsx bench/messages.ts            (PHASE_MS=4000 CONCURRENCY=1,10,100 USERS=10 SUSTAINED_RATE=500 SUSTAINED_MS=60000)
 *   CONCURRENCY= leaves the phases out, SUSTAINED_MS=0 the sustained rate.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { startTestServer } from '../test/support/api.ts';
import { loadFor, percentile } from './support/load.ts';
import { sustained } from './support/sustained.ts';

const PHASE_MS = Number(process.env.PHASE_MS ?? 4000);
const CONCURRENCY = (process.env.CONCURRENCY ?? '1,10,100').split(',').filter(Boolean).map(Number);
const USERS = Number(process.env.USERS ?? 10);
const SUSTAINED_RATE = Number(process.env.SUSTAINED_RATE ?? 500);
const SUSTAINED_MS = Number(process.env.SUSTAINED_MS ?? 60_000);

/** `concurrency` loops calling `op` until `ms` have passed: operations per second, p50 and p99, how many. */
async function run(ms: number, concurrency: number, op: (i: number) => Promise<void>) {
  const { perSecond, latencies } = await loadFor(ms, concurrency, op);
  return { perSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length };
}

// CONCURRENCY= (empty) leaves the phases out: the sustained rate alone.
if (CONCURRENCY.length > 0) {
  const t = await startTestServer('benchmsg', { LOG_LEVEL: 'silent', RATE_LIMIT_SCALE: '10000' });
  try {
    const { api, server } = t;
    const { store } = server.services;
    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => api.register(`sender${i}`)));
    const owner = users[0]!;
    const revolt = (await api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Bench' } })).body;
    const channel = revolt.channels[0] as string;
    for (const user of users.slice(1)) {
      const joined = await api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: user.token });
      if (joined.status !== 200) throw new Error(`join: ${joined.status}`);
    }
    const settle = async () => {
      const head = await store.headPosition();
      for (const name of ['messages', 'channels', 'revolts', 'users']) await server.engine.waitForPosition(name, head, 30_000);
    };
    await settle();

    const send = (i: number) =>
      api
        .request('POST', `/v1/channels/${channel}/messages`, { token: users[i % USERS]!.token, body: { content: `message ${i} see <@${owner.id}>` } })
        .then((res) => {
          if (res.status !== 201) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
        });
    const metadata = () => ({ correlationId: 'bench', causationId: 'bench', actorId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 });
    const append = async (i: number) => {
      await store.appendToStream(`bench-${randomUUID()}`, [{ id: randomUUID(), type: 'BenchEvent', data: { i }, metadata: metadata() }], 'no_stream');
    };

    // Warm-up: JIT, connection pools, the handler's cached revolt state.
    await run(500, 10, send);
    await run(500, 10, append);
    await settle();

    const rows: Array<Record<string, number>> = [];
    for (const concurrency of CONCURRENCY) {
      const sent = await run(PHASE_MS, concurrency, send);
      await settle();
      const raw = await run(PHASE_MS, concurrency, append);
      rows.push({
        concurrency,
        'send msg/s': Math.round(sent.perSecond),
        'send p50 ms': +sent.p50.toFixed(2),
        'send p99 ms': +sent.p99.toFixed(2),
        'append/s': Math.round(raw.perSecond),
        'append p50 ms': +raw.p50.toFixed(2),
        'append p99 ms': +raw.p99.toFixed(2),
        'send/append throughput': +(sent.perSecond / raw.perSecond).toFixed(2),
        'send/append p50': +(sent.p50 / raw.p50).toFixed(2),
      });
      await settle();
    }

    const cpu = cpus();
    console.log(`messages benchmark: ${PHASE_MS} ms per phase, ${USERS} senders' accounts, node ${process.version}, ${cpu.length}× ${cpu[0]?.model ?? 'cpu'}`);
    console.log('send = POST /v1/channels/:id/messages in process (auth, rate limit, zod, decide, append); append = raw event-store append, 1 event');
    console.table(rows);
  } finally {
    await t.close();
  }
}

// SUSTAINED_MS=0 leaves the sustained rate out.
if (SUSTAINED_MS > 0) await sustained({ rate: SUSTAINED_RATE, ms: SUSTAINED_MS, users: USERS });
