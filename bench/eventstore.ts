/**
 * Append throughput and latency of the PostgreSQL event store, next to a plain single-row INSERT at the same
 * concurrency. The machine is shared and noisy: compare the ratios, not the absolute figures.
 *
 *   node --import tsx bench/eventstore.ts        (BENCH_SECONDS per scenario, default 4)
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventToAppend } from '../src/events/envelope.ts';
import { PostgresEventStore } from '../src/events/store/postgres.ts';

const SERVER = 'postgres://postgres@127.0.0.1:5432';
const DATABASE_URL = `${SERVER}/revolution_test`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
/** Scenarios take turns in short rounds, so that drift in the machine's load hits them alike. */
const ROUNDS = 4;
const MAX_OPS_PER_ROUND = 20_000;
const CONCURRENCY = [1, 16, 64];
/** Connections of the store and of the raw pool alike: 64 writers share them, as an application's requests do. */
const POOL_SIZE = 16;
const BATCH_SIZES = [1, 100];

interface Scenario {
  name: string;
  batch: number;
  /** One operation by worker `worker` of `concurrency`. */
  op(worker: number): Promise<unknown>;
  latenciesMs: number[];
  seconds: number;
}

const data = { amountCents: 1250, message: 'x'.repeat(100) };
const metadata = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actorId: randomUUID(),
  occurredAt: new Date().toISOString(),
  schemaVersion: 1,
});
const batch = (size: number): EventToAppend[] =>
  Array.from({ length: size }, () => ({ id: randomUUID(), type: 'BenchEvent', data, metadata: metadata() }));

/** Runs the scenario's op in `concurrency` loops for one round. */
async function round(scenario: Scenario, concurrency: number): Promise<void> {
  const started = performance.now();
  const deadline = started + (SECONDS / ROUNDS) * 1000;
  let ops = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline && ops < MAX_OPS_PER_ROUND) {
        ops += 1;
        const t = performance.now();
        await scenario.op(worker);
        scenario.latenciesMs.push(performance.now() - t);
      }
    }),
  );
  scenario.seconds += (performance.now() - started) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarise({ latenciesMs, batch, seconds }: Scenario) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { perSecond: (latenciesMs.length * batch) / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function ensureDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query('create database revolution_test').catch((error: unknown) => {
    if (!(error instanceof pg.DatabaseError && ['42P04', '23505'].includes(error.code ?? ''))) throw error;
  });
  await admin.end();
}

async function main(): Promise<void> {
  await ensureDatabase();
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const store = new PostgresEventStore({ connectionString: DATABASE_URL, schema, poolSize: POOL_SIZE });
  const raw = new pg.Pool({ connectionString: DATABASE_URL, max: POOL_SIZE });
  const rows: string[][] = [];
  try {
    await store.migrate();
    await raw.query(`create table ${schema}.raw (id bigserial primary key, data jsonb not null, metadata jsonb not null)`);
    const insert = `insert into ${schema}.raw (data, metadata) values ($1, $2)`;
    const rawValues = () => [JSON.stringify(data), JSON.stringify(metadata())];

    for (const concurrency of CONCURRENCY) {
      const scenarios: Scenario[] = [
        scenario('raw INSERT (1 row)', 1, () => raw.query(insert, rawValues())),
        // NOTIFY makes PostgreSQL serialise committing transactions database-wide, as our lock does per schema.
        scenario('raw INSERT + NOTIFY', 1, () =>
          raw.query(`with i as (${insert} returning id) select pg_notify('bench', id::text) from i`, rawValues()),
        ),
        ...BATCH_SIZES.map((size) => appendScenario(store, concurrency, size)),
      ];
      // A discarded first round opens the pools' connections and warms caches.
      for (let r = 0; r <= ROUNDS; r++) {
        for (const s of scenarios) {
          if (r === 1) Object.assign(s, { latenciesMs: [], seconds: 0 });
          await round(s, concurrency);
        }
      }
      const baseline = summarise(scenarios[0]!);
      for (const s of scenarios) rows.push(row(s, concurrency, summarise(s), baseline));
    }
  } finally {
    await store.dropSchema();
    await raw.end();
    await store.close();
  }
  printTable(['operation', 'concurrency', 'batch', 'events/s', 'p50 ms', 'p99 ms', 'events/s vs raw', 'p50 vs raw'], rows);
}

function scenario(name: string, size: number, op: Scenario['op']): Scenario {
  return { name, batch: size, op, latenciesMs: [], seconds: 0 };
}

/** Each worker appends to its own stream with the exact expected revision, as a command handler does. */
function appendScenario(store: PostgresEventStore, concurrency: number, size: number): Scenario {
  const streams = Array.from({ length: concurrency }, () => ({ id: `bench-${randomUUID()}`, revision: -1 }));
  return scenario('appendToStream', size, async (worker) => {
    const stream = streams[worker]!;
    const expected = stream.revision < 0 ? 'no_stream' : stream.revision;
    stream.revision = (await store.appendToStream(stream.id, batch(size), expected)).nextExpectedRevision;
  });
}

function row(scenario: Scenario, concurrency: number, s: ReturnType<typeof summarise>, base: ReturnType<typeof summarise>) {
  return [
    scenario.name,
    String(concurrency),
    String(scenario.batch),
    s.perSecond.toFixed(0),
    s.p50.toFixed(2),
    s.p99.toFixed(2),
    `${(s.perSecond / base.perSecond).toFixed(2)}x`,
    `${(s.p50 / base.p50).toFixed(2)}x`,
  ];
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(`\n${SECONDS}s per scenario in ${ROUNDS} interleaved rounds; ratios compare with the raw INSERT at the same concurrency.`);
}

await main();
