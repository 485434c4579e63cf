/**
 * The sustained-rate phase of bench/messages.ts: a server in a process of its own (src/main.ts, as production runs
 * it: the achievements reactor and the gateway's publisher on, voice off) on isolated engines, sent `rate` messages
 * per second over HTTP (open loop: each send leaves on its schedule whether or not the previous ones were answered)
 * for `ms`, then left to apply them all. Prints:
 * - the send latency of one sender alone (each send after the previous one's answer), before the phase;
 * - the rate achieved and the send latency p50/p99;
 * - each lane's lag p50/p99 while the messages come, sampled every LAG_SAMPLE_MS from its checkpoint document: the
 *   age of the oldest message answered to its sender that the lane has not applied yet (0 when it has applied every
 *   one); then how long after the last send every lane had applied every message;
 * - send → read: every READ_EVERY-th message, another member reads the revolt's channels (whose read model records
 *   every message as the channel's last) with X-Min-Position set to the send's position, right after the send is answered: the time from the send's
 *   answer to the read's;
 * - CPU ms per message of our server process, FerretDB, PostgreSQL and Redis, from the first send until every lane
 *   has applied the last message (the engines' CPU before the phase, per second, is printed beside it: the machine
 *   is shared, and other work on the same engines shows there).
 */
import { cpus, loadavg } from 'node:os';
import { MongoClient } from 'mongodb';
import { isolatedEngines } from '../../test/support/engines.ts';
import { freePort, http, ServerProcess } from '../../test/support/process.ts';
import { cpuMs, cpuSpent, type CpuSample } from './cpu.ts';
import { percentile } from './load.ts';

const LAG_SAMPLE_MS = 100;
const READ_EVERY = 10;
/** Sends in flight beyond which the schedule slips (the server is saturated): counted, never queued without bound. */
const MAX_IN_FLIGHT = 500;
const BACKGROUND_MS = 3_000;
const SETTLE_TIMEOUT_MS = 600_000;

interface Sent {
  position: number;
  answeredAt: number;
}

interface Checkpoint {
  _id: string;
  position: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '0');

export async function sustained({ rate, ms, users: userCount }: { rate: number; ms: number; users: number }): Promise<void> {
  const engines = isolatedEngines('benchrate');
  const server = new ServerProcess(
    { ...engines.env, LOG_LEVEL: 'warn', RATE_LIMIT_SCALE: '100000', RUN_ACHIEVEMENTS: 'true', RUN_VOICE: 'false', IMPORT_COURSE: 'false' },
    await freePort(),
  );
  const mongo = await MongoClient.connect(engines.env.MONGODB_URL, { maxPoolSize: 2 });
  try {
    await server.start(120_000);
    const db = mongo.db();
    const users: Array<{ id: string; token: string }> = [];
    for (let i = 0; i < userCount; i++) {
      const res = await http(server.url, 'POST', '/v1/auth/register', { body: { email: `rate${i}-${Date.now()}@example.com`, username: `rate${i}`, password: 'correct horse battery' } });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
      users.push({ id: res.body.user.id, token: res.body.token });
    }
    const owner = users[0]!;
    const revolt = await http(server.url, 'POST', '/v1/revolts', { token: owner.token, body: { name: 'Rate' } });
    if (revolt.status !== 201) throw new Error(`revolt: ${revolt.status}`);
    const channel = revolt.body.channels[0] as string;
    for (const user of users.slice(1)) {
      const joined = await http(server.url, 'POST', `/v1/invites/${revolt.body.inviteCode}`, { token: user.token });
      if (joined.status !== 200) throw new Error(`join: ${joined.status}`);
    }

    // Retried while FerretDB is away (another session may restart it on this shared machine).
    const checkpoints = async (): Promise<Checkpoint[]> => {
      for (;;) {
        try {
          const [models, reactors] = await Promise.all([
            db.collection<Checkpoint>('_projections').find({}, { projection: { position: 1 } }).toArray(),
            db.collection<Checkpoint>('_reactors').find({}, { projection: { position: 1 } }).toArray(),
          ]);
          return [...models, ...reactors.map((doc) => ({ ...doc, _id: `reactor ${doc._id}` }))];
        } catch (error) {
          console.error(`reading the checkpoints failed (${String(error)}); retrying`);
          await sleep(1000);
        }
      }
    };
    const settle = async (position: number) => {
      const deadline = Date.now() + SETTLE_TIMEOUT_MS;
      while ((await checkpoints()).some((doc) => doc.position < position)) {
        if (Date.now() > deadline) throw new Error(`the lanes did not reach ${position} in ${SETTLE_TIMEOUT_MS} ms: ${JSON.stringify(await checkpoints())}`);
        await sleep(20);
      }
    };
    const send = async (i: number): Promise<Sent> => {
      const res = await http(server.url, 'POST', `/v1/channels/${channel}/messages`, { token: users[i % users.length]!.token, body: { content: `rate ${i}` } });
      if (res.status !== 201) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
      return { position: Number(res.headers.get('x-event-position')), answeredAt: performance.now() };
    };
    // Warm-up (JIT, pools, caches), then everything applied.
    let warm = 0;
    for (let i = 0; i < 50; i++) warm = Math.max(warm, (await send(i)).position);
    await settle(warm);

    // One sender, each send after the previous one's answer, on a system otherwise idle (for the machine, see the load average).
    const single: number[] = [];
    const singleUntil = performance.now() + Math.min(5_000, ms / 4);
    for (let i = 0; performance.now() < singleUntil; i++) {
      const started = performance.now();
      warm = Math.max(warm, (await send(i)).position);
      single.push(performance.now() - started);
    }
    await settle(warm);

    // What the engines spend while we do nothing: other work on the same machine.
    const idle = cpuMs([server.pid!]);
    await sleep(BACKGROUND_MS);
    const background = cpuSpent(idle, cpuMs([server.pid!]));

    const sent: Sent[] = [];
    const sendLatencies: number[] = [];
    const readLatencies: number[] = [];
    const lagSamples = new Map<string, number[]>();
    let inFlight = 0;
    let slipped = 0;
    let failures = 0;
    /** Reads answered 503: the lane did not reach the send's position within READ_YOUR_WRITES_TIMEOUT_MS. */
    let unreadable = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const at = performance.now();
        const docs = await checkpoints();
        // `sent` is in answer order, not position order: the oldest answered message the lane has not applied.
        for (const doc of docs) {
          let oldest = at;
          for (const s of sent) if (s.position > doc.position && s.answeredAt < oldest) oldest = s.answeredAt;
          const samples = lagSamples.get(doc._id) ?? [];
          samples.push(at - oldest);
          lagSamples.set(doc._id, samples);
        }
        await sleep(Math.max(0, LAG_SAMPLE_MS - (performance.now() - at)));
      }
    })();
    const reader = users[1 % users.length]!;
    const one = async (i: number) => {
      inFlight++;
      const started = performance.now();
      try {
        const s = await send(i);
        sendLatencies.push(s.answeredAt - started);
        sent.push(s);
        if (i % READ_EVERY === 0) {
          const read = await http(server.url, 'GET', `/v1/revolts/${revolt.body.id}/channels`, { token: reader.token, headers: { 'x-min-position': String(s.position) } });
          if (read.status === 200) readLatencies.push(performance.now() - s.answeredAt);
          else unreadable++;
        }
      } catch (error) {
        failures++;
        if (failures === 1) console.error(error);
      } finally {
        inFlight--;
      }
    };

    const stopSampling = async () => {
      sampling = false;
      await sampler.catch(() => {});
    };
    const before = cpuMs([server.pid!]);
    const load = loadavg();
    const started = performance.now();
    const pending: Promise<void>[] = [];
    let issued = 0;
    const total = Math.round((rate * ms) / 1000);
    while (issued < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
      for (; issued < due; issued++) {
        if (inFlight >= MAX_IN_FLIGHT) {
          slipped++;
          break;
        }
        pending.push(one(issued));
      }
      await sleep(2);
    }
    await Promise.all(pending);
    const sendSeconds = (performance.now() - started) / 1000;
    // Lag is sampled while the messages come: the catch-up after the last one is timed on its own below.
    await stopSampling();
    const last = Math.max(...sent.map((s) => s.position));
    await settle(last);
    const appliedSeconds = (performance.now() - started) / 1000;
    const spent = cpuSpent(before, cpuMs([server.pid!]));

    const cpu = cpus();
    console.log(
      `sustained: ${rate} msg/s asked for ${ms / 1000} s over HTTP, ${users.length} senders; load average ${load.map((n) => n.toFixed(2)).join(' ')}; ${cpu.length}× ${cpu[0]?.model ?? 'cpu'}`,
    );
    console.log(`1 sender over HTTP, ${single.length} sends one after another: p50 ${fixed(percentile(single, 50), 2)} ms, p99 ${fixed(percentile(single, 99), 2)} ms`);
    console.log(
      `achieved ${fixed(sent.length / sendSeconds)} msg/s (${sent.length} sent, ${failures} failed, schedule slipped ${slipped} times); send p50 ${fixed(percentile(sendLatencies, 50), 2)} ms, p99 ${fixed(percentile(sendLatencies, 99), 2)} ms`,
    );
    console.log(
      `send → read with X-Min-Position (another member, GET the revolt's channels, every ${READ_EVERY}th message): p50 ${fixed(percentile(readLatencies, 50), 2)} ms, p99 ${fixed(percentile(readLatencies, 99), 2)} ms (${readLatencies.length} reads; ${unreadable} more answered 503, the lane not there in time)`,
    );
    console.log(`every message applied by every lane ${fixed(appliedSeconds - sendSeconds, 2)} s after the last send`);
    const lanes = [...lagSamples].sort(([a], [b]) => a.localeCompare(b));
    for (const [lane, samples] of lanes) {
      console.log(`lag ${lane.padEnd(28)} p50 ${fixed(percentile(samples, 50)).padStart(8)} ms   p99 ${fixed(percentile(samples, 99)).padStart(8)} ms`);
    }
    const perMessage = (group: keyof CpuSample) => spent[group] / Math.max(1, sent.length);
    const perSecond = (group: keyof CpuSample) => (background[group] * 1000) / BACKGROUND_MS;
    for (const group of ['ours', 'ferretdb', 'postgres', 'redis'] as const) {
      console.log(`cpu ${group.padEnd(9)} ${fixed(perMessage(group), 2).padStart(7)} ms per message   (before the phase: ${fixed(perSecond(group), 0)} ms/s)`);
    }
    const groups = ['ours', 'ferretdb', 'postgres', 'redis'] as const;
    const all = groups.reduce((sum, group) => sum + perMessage(group), 0);
    const idleShare = (groups.reduce((sum, group) => sum + perSecond(group), 0) * appliedSeconds) / Math.max(1, sent.length);
    console.log(`cpu all       ${fixed(all, 2).padStart(7)} ms per message; ${fixed(Math.max(0, all - idleShare), 2)} ms less the rate before the phase over its ${fixed(appliedSeconds)} s`);
  } catch (error) {
    console.error(`the server printed:\n${server.output.slice(-4000)}`);
    throw error;
  } finally {
    await server.stop();
    await mongo.close();
    await engines.drop();
  }
}
