// Every benchmark under bench/, run once at a smoke size, so that none can break unnoticed: it must exit 0 and print
// its figures (numbers where numbers belong, never NaN). The benchmarks are found by listing bench/*.ts; each needs
// its row in SMOKE (its smoke sizes, from the env its header documents, and the lines it must print).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** A smoke run takes seconds; this is far above it, for a loaded machine, and still ends a hung benchmark. */
const TIMEOUT_MS = 150_000;
/** After SIGTERM, how long a benchmark's process group has to go before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/** A figure as the benchmarks print it (never NaN or Infinity), and one that may be negative (a latency across threads). */
const N = String.raw`\d+(?:\.\d+)?`;
const S = `-?${N}`;
/** A whole line of plain output. */
const line = (pattern: string) => new RegExp(`^${pattern}$`, 'm');
/** A whole row of console.table: each cell's pattern ('' for an empty cell), the index column first. */
const tableRow = (...cells: string[]) => line('│' + cells.map((cell) => String.raw`\s*${cell}\s*│`).join(''));
const repeat = (cell: string, times: number) => Array<string>(times).fill(cell);

interface Smoke {
  /** Smoke sizes (the env each benchmark's header documents): a run of a few seconds. */
  env: Record<string, string>;
  /** Command-line options, for a benchmark that takes its sizes as options. */
  args?: string[];
  /** Lines the output must contain. */
  prints: RegExp[];
}

const SMOKE: Record<string, Smoke> = {
  achievements: {
    env: { BENCH_EVENTS: '2000', BENCH_USERS: '50' },
    prints: [
      line(String.raw`history: 2000 events, 50 users`),
      line(String.raw`projection engine, users read model: ${N} s, \d+ events/s`),
      line(String.raw`achievements reactor: ${N} s, \d+ events/s, \d+ unlocks issued`),
      line(String.raw`achievements reactor / projection engine: ${N}x events/s`),
    ],
  },
  documents: {
    env: { BENCH_MS: '300', READERS: '2', MEMBERS: '3', CHANNELS: '2' },
    prints: [
      line(String.raw`documents benchmark: 2 readers, 300 ms per read, 3 members, 2 channels, node v[\d.]+`),
      ...['GET /revolts/:id', 'GET /users/@me', 'GET /users/:id', 'GET /revolts/:id/members', 'GET /revolts/:id/channels'].flatMap((read, i) => [
        tableRow(String(2 * i), `'${read}, cache off'`, N, N, N, N),
        tableRow(String(2 * i + 1), `'${read}, cache on'`, N, N, N, N),
        line(String.raw`${read}: cache on / off ${N}x req/s`),
      ]),
      ...[String.raw`auth: session load \(event store\)`, String.raw`permissions: revolt aggregate load \(event store\)`, 'rate limit / own writes: one Redis round trip',
        ...['revolts', 'users'].flatMap((collection) => ['id', '_id'].map((field) => String.raw`read model: ${collection} findOne by ${field} \(FerretDB\)`)),
      ].map((part, i) => tableRow(String(i), `'${part}'`, N, N)),
    ],
  },
  eventstore: {
    env: { BENCH_SECONDS: '0.4' },
    prints: ['1', '16', '64'].flatMap((concurrency) =>
      [[String.raw`raw INSERT \(1 row\)`, '1'], [String.raw`raw INSERT \+ NOTIFY`, '1'], ['appendToStream', '1'], ['appendToStream', '100']].map(([operation, batch]) =>
        line(String.raw`${operation}\s+${concurrency}\s+${batch}\s+\d+\s+${N}\s+${N}\s+${N}x\s+${N}x`),
      ),
    ),
  },
  gateway: {
    env: { SOCKETS: '50', USERS: '2', MESSAGES: '10', RATE: '20', BURST: '20', CONCURRENCY: '4', EVENTS: '100', CLIENT_WORKERS: '1' },
    prints: [
      line(String.raw`50 sockets identified in ${N} s \(\d+/s\) by 1 client threads`),
      ...['pipeline: steady 20 msg/s × 10 \\(HTTP\\)', 'pipeline: burst 20 msgs, 4 HTTP senders', 'ceiling paced: raw app.publish 20/s × 10',
        'pipeline from the store: 100 events appended', String.raw`ceiling: raw uWS app.publish × 100 \(\d+ B\)`].map((label) => tableRow(label, ...repeat(S, 11))),
      // Every socket got every message once, in the event store's order.
      line('checks: 0 sequence gaps, 0 sockets saw another order than the event store\'s, 0 sockets closed'),
      line(String.raw`pipeline from the store / ceiling: ${N}x deliveries/s`),
      line(String.raw`gateway cpu per delivery \(µs\): steady ${N} vs paced ceiling ${N}; from the store ${N} vs ceiling ${N}`),
    ],
  },
  inbox: {
    env: { BENCH_SIZES: '2000,4000', BENCH_FILL: '500', PER_READER: '60', BENCH_MS: '300', READERS: '3' },
    prints: [
      line('inbox benchmark: 3 readers, 300 ms per read, 60 notifications per reader, fill batches of 500'),
      ...['2000', '4000'].flatMap((size) => [
        line(String.raw`size ${size} \(filled in ${N} s, load average ${N}\):`),
        line(String.raw`  latest page: p50 ${N} ms, p99 ${N} ms, \d+/s; unread page: p50 ${N} ms, p99 ${N} ms, \d+/s; unread count: p50 ${N} ms, p99 ${N} ms, \d+/s`),
        line(String.raw`  latest page / size 2000: p50 ${N}x, p99 ${N}x`),
        line(String.raw`  old path \(notifications collection, FerretDB\): p50 ${N} ms, p99 ${N} ms, \d+/s; inbox / old reads/s ${N}x`),
      ]),
    ],
  },
  messages: {
    env: { PHASE_MS: '300', CONCURRENCY: '1,10', USERS: '3', SUSTAINED_RATE: '50', SUSTAINED_MS: '1000' },
    prints: [
      tableRow('0', '1', ...repeat(N, 8)),
      tableRow('1', '10', ...repeat(N, 8)),
      line(String.raw`sustained: 50 msg/s asked for 1 s over HTTP, 3 senders; load average ${N} ${N} ${N}; .+`),
      line(String.raw`1 sender over HTTP, \d+ sends one after another: p50 ${N} ms, p99 ${N} ms`),
      line(String.raw`achieved ${N} msg/s \(50 sent, 0 failed, schedule slipped \d+ times\); send p50 ${N} ms, p99 ${N} ms`),
      line(String.raw`send → read with X-Min-Position \(.+\): p50 ${N} ms, p99 ${N} ms \(\d+ reads; \d+ more answered 503, the lane not there in time\)`),
      line(String.raw`every message applied by every lane ${N} s after the last send`),
      ...['users', 'channels', 'messages', 'reactor achievements'].map((lane) => line(String.raw`lag ${lane}\s+p50\s+${N} ms\s+p99\s+${N} ms`)),
      ...['ours', 'ferretdb', 'postgres', 'redis', 'all'].map((group) => line(String.raw`cpu ${group}\s+${N} ms per message.*`)),
    ],
  },
  reads: {
    env: { BENCH_MS: '300' },
    args: ['--sizes', '1000,2000'],
    prints: ['1000', '2000'].flatMap((size) => [
      line(String.raw`size ${size}: \d+ messages in the channel read, loaded in ${N} s, load average ${N} ${N} ${N}`),
      ...['latest', 'before', 'after', 'around'].map((kind) =>
        line(String.raw`size ${size} ${kind}: p50 ${N} ms, p99 ${N} ms, \d+ req/s at 10 readers, cpu ${N} ms/req, 0 5xx; to size 1000: p50 ${N}x, p99 ${N}x, req/s ${N}x, cpu ${N}x`),
      ),
      line(String.raw`size ${size} floor, GET /v1/users/@me \(auth, rate limit, own writes, one read\): p50 ${N} ms, p99 ${N} ms, \d+ req/s, cpu ${N} ms/req, 0 5xx`),
      ...['latest', 'before'].map((kind) =>
        line(String.raw`size ${size} ${kind}, the query alone: history p50 ${N} ms, p99 ${N} ms, \d+ req/s; old path \(messages collection\) p50 ${N} ms, p99 ${N} ms, \d+ req/s; history/old req/s ${N}x`),
      ),
    ]),
  },
  notifications: {
    env: { BENCH_MEMBERS: '200', BENCH_MESSAGES: '100' },
    prints: [
      line('members: 200, plain messages: 100'),
      line(String.raw`projection engine, messages read model: ${N} s, \d+ messages/s`),
      line(String.raw`reactor's first load of the revolt \(201 joins\): ${N} s`),
      line(String.raw`@everyone: reactor chose 200 recipients and appended 1 event\(s\) in ${N} s`),
      line(String.raw`notifications read model: 200 notifications in ${N} s, \d+ notifications/s`),
      line(String.raw`message to last recipient's notification: ${N} s`),
      line(String.raw`notifications/s / plain messages/s: ${N}x`),
    ],
  },
  projections: {
    env: { BENCH_EVENTS: '200', BENCH_STREAMS: '10' },
    prints: [
      line('events: 200, streams: 10'),
      ...['1 lane\\(s\\)', '4 lane\\(s\\)'].flatMap((lanes) =>
        ['per lane', 'all lanes'].map((what) => line(String.raw`engine, ${lanes}, events/s ${what}\s+\d+\s+ratio to direct ${N}`)),
      ),
      line(String.raw`direct to FerretDB, events/s\s+\d+\s+ratio to direct 1\.00`),
    ],
  },
  'read-your-writes': {
    env: { READS: '50', READERS: '5', USERS: '3' },
    prints: [
      ...["'GET @me, own writes applied'", "'GET @me right after creating a revolt'", "'GET @me right after registering'", "'baseline: Redis GET'"].map((step, i) =>
        tableRow(String(i), step, N, N, N),
      ),
      line(String.raw`own write seen: 15/15 reads right after creating a revolt, 3/3 right after registering`),
    ],
  },
  'revolt-load': {
    env: { BENCH_MEMBERS: '200', BENCH_RUNS: '1' },
    prints: [
      line('revolt: 201 joins, 204 events, median of 1 cold loads'),
      line(String.raw`cold load, one event at a time \(evolve\): ${N} ms`),
      line(String.raw`cold load, in one batch \(evolveAll\): ${N} ms`),
      line(String.raw`one at a time / batch: ${N}x`),
    ],
  },
  reports: {
    env: { BENCH_EVENTS: '3000', BENCH_USERS: '100', BENCH_SNAPSHOT_EVERY: '1000' },
    prints: [
      line(String.raw`history: \d+ events, 100 users, 10 revolts, appended in ${N} s, node v[\d.]+`),
      line(String.raw`raw read \(readAll, pages of \d+\): \d+ events in ${N} s, \d+ events/s`),
      line(String.raw`engine replay \(user-activity-report, cold\): \d+ events in ${N} s, \d+ events/s`),
      line(String.raw`engine / raw read: ${N}x events/s`),
      line(String.raw`cold report as of position \d+: ${N} s`),
      line(String.raw`snapshots kept every 1000 events by a replay as of position \d+: ${N} s`),
      line(String.raw`report as of position \d+ from the snapshot at [1-9]\d*: ${N} s, \d+ events replayed`),
      line(String.raw`cold / with snapshot: ${N}x faster`),
      line('same answer with and without the snapshot: yes'),
    ],
  },
  search: {
    env: { BENCH_SIZES: '2000,4000', BENCH_MS: '300' },
    prints: [
      ...['2000', '4000'].map((rows) => line(String.raw`rows ${rows}: p50 ${N} ms, p99 ${N} ms, \d+ searches/s at 10 concurrent \(loaded in ${N} s\)`)),
      line(String.raw`  p99 by query: common word ${N} ms, mid word ${N} ms, rare word ${N} ms, two words ${N} ms, quoted phrase ${N} ms, absent word ${N} ms`),
      line(String.raw`  baseline, plain query: p50 ${N} ms, p99 ${N} ms, \d+ searches/s; p99 by query: common word ${N} ms, .*absent word ${N} ms`),
      line(String.raw`  planned / plain: ${N}x searches/s, p99 ${N}x lower`),
    ],
  },
  slice: {
    env: { MESSAGES: '100', CONCURRENCY: '10', USERS: '3' },
    prints: [
      tableRow('0', String.raw`'register \(argon2id\)'`, N, N, N, '', ''),
      tableRow('1', "'join by invite'", N, N, N, '', ''),
      tableRow('2', "'send message'", N, N, N, N, N),
      tableRow('3', String.raw`'baseline: raw append \(1 event\)'`, N, N, N, '', ''),
      tableRow('4', "'baseline: raw MongoDB insert'", N, N, N, '', ''),
      line(String.raw`send message vs raw append: ${N}x throughput`),
      line(String.raw`send message vs raw MongoDB insert: ${N}x throughput`),
    ],
  },
  voice: {
    env: { BENCH_STEPS: '5,10', BENCH_WINDOW_MS: '1000' },
    prints: [
      ...['5', '10'].map((consumers) => line(String.raw`\s+${consumers}\s+${N}%\s+${N}%\s+\d+\s+\d+\s+\d+\s+${N}%\s+${N}`)),
      line(String.raw`largest step within 1% loss, 90% worker CPU and 90% of the ingest rate: (\d+|none) consumers.*`),
    ],
  },
};

const benches = readdirSync(join(ROOT, 'bench'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
  seconds: number;
}

/** `node --import tsx bench/<name>.ts` in its own process group (it may start processes of its own), killed on timeout. */
function runBench(name: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is already gone
    }
  };
  let timedOut = false;
  let kill: NodeJS.Timeout | undefined;
  const timeout = setTimeout(() => {
    timedOut = true;
    signalGroup('SIGTERM');
    kill = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  }, TIMEOUT_MS);
  // Whatever the benchmark leaves behind (an API or gateway node, ffmpeg holding its stderr) goes with it.
  child.once('exit', () => signalGroup('SIGKILL'));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timeout);
      clearTimeout(kill);
      resolve({ code, signal, output, timedOut, seconds: (performance.now() - started) / 1000 });
    });
  });
}

describe('benchmarks at smoke size', () => {
  it('has a smoke row for every benchmark and no row for a benchmark that is gone', () => {
    expect(benches.length).toBeGreaterThan(0);
    expect(Object.keys(SMOKE).sort()).toEqual(benches);
  });

  for (const name of benches) {
    it(`bench/${name}.ts runs and prints its figures`, { timeout: TIMEOUT_MS + 2 * KILL_GRACE_MS }, async () => {
      const smoke = SMOKE[name];
      if (!smoke) throw new Error(`bench/${name}.ts has no row in SMOKE (test/bench/smoke.test.ts): give it smoke sizes and the lines it prints`);
      const run = await runBench(name, smoke.env, smoke.args);
      const context = `bench/${name}.ts (${run.seconds.toFixed(1)} s) printed:\n${run.output}`;
      expect(run.timedOut, `timed out after ${TIMEOUT_MS / 1000} s; ${context}`).toBe(false);
      expect({ code: run.code, signal: run.signal }, context).toEqual({ code: 0, signal: null });
      expect(run.output, context).not.toMatch(/\bNaN\b|\bInfinity\b/);
      for (const pattern of smoke.prints) expect(run.output, `${pattern} not found; ${context}`).toMatch(pattern);
    });
  }
});
