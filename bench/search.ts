/**
 * Message search (the PostgreSQL full-text search read model, src/projections/search) at growing sizes: p50/p99
 * and searches/s at 10 concurrent searches, each for the newest 50 hits of a query in one revolt, limited to the
 * 8 of its 10 channels the searcher may read. Rows are loaded directly in batches through the read model's own
 * lane writes (synthetic MessageSent events, no event store, no HTTP): a fifth of them in the searched revolt, the
 * rest across 99 others; contents of 8 words drawn from a Zipf-distributed vocabulary of 5,000. Queries cycle
 * through a common word, a mid word, a rare word, two words, a quoted phrase, and a word found nowhere; each
 * kind's p99 is printed too. After each load the table is vacuumed, as autovacuum does within a minute (the table
 * asks for it every 5,000 inserts), so the newest rows are all-visible to the index-only walk.
 * Baseline, on the same rows in the same run (in alternating thirds of the time with the read model's search): the
 * plain query (every match from the GIN index, sorted, limited), which is how the read model answered before it
 * chose a plan per query.
 * Its own schema, dropped at the end.
 *
 *   node --import tsx bench/search.ts       (BENCH_SIZES=10000,100000,1000000 BENCH_MS=3000 BENCH_CONCURRENCY=10)
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildEventCatalogue } from '../src/catalogue.ts';
import type { RecordedEvent } from '../src/events/envelope.ts';
import { newId } from '../src/events/ids.ts';
import { applyEvents, upcasting, type ProjectionContext } from '../src/projections/engine/read-model.ts';
import { openMessageSearch } from '../src/projections/search/message-search.ts';
import { loadFor, percentile, type Load } from './support/load.ts';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const MS = Number(process.env.BENCH_MS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const BATCH = 5000;
const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/revolution_test';

const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
/** Zipf-like: word i drawn with weight 1/(i+1). */
const cumulative: number[] = [];
vocabulary.reduce((sum, _, i) => (cumulative[i] = sum + 1 / (i + 1)), 0);
const total = cumulative.at(-1)!;
function word(): string {
  const x = Math.random() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return vocabulary[lo]!;
}

const schema = `bench_search_${randomBytes(4).toString('hex')}`;
const search = await openMessageSearch({ connectionString: URL, schema });
const readModel = upcasting(search.readModel, buildEventCatalogue());
const revolts = Array.from({ length: 100 }, () => ({ id: newId(), channels: Array.from({ length: 10 }, () => newId()) }));
const target = revolts[0]!;
const readable = target.channels.slice(0, 8);
const queries = {
  'common word': vocabulary[1]!,
  'mid word': vocabulary[60]!,
  'rare word': vocabulary[3000]!,
  'two words': `${vocabulary[2]} ${vocabulary[40]}`,
  'quoted phrase': `"${vocabulary[0]} ${vocabulary[1]}"`,
  'absent word': 'absentword',
};
const kinds = Object.keys(queries) as Array<keyof typeof queries>;
const author = newId();
let position = 0;
let clock = Date.parse('2024-01-01T00:00:00Z');

async function load(rows: number) {
  for (let done = 0; done < rows; done += BATCH) {
    const events: RecordedEvent[] = [];
    for (let i = 0; i < Math.min(BATCH, rows - done); i++) {
      const revolt = Math.random() < 0.2 ? target : revolts[1 + Math.floor(Math.random() * 99)]!;
      position++;
      events.push({
        id: newId(), type: 'MessageSent', streamId: 'bench', revision: 0, position,
        metadata: { correlationId: 'bench', causationId: 'bench', actorId: null, occurredAt: new Date(0).toISOString(), schemaVersion: 1 },
        data: {
          messageId: newId(), channelId: revolt.channels[Math.floor(Math.random() * 10)]!, revoltId: revolt.id, authorId: author,
          content: Array.from({ length: 8 }, word).join(' '), type: 'text', mentions: [], roleMentions: [], channelMentions: [],
          mentionEveryone: false, createdAt: new Date((clock += 1000)).toISOString(),
        },
      });
    }
    await applyEvents(readModel, events, {} as ProjectionContext);
  }
}

/** The read model's query before it had plans: every match (the GIN index), sorted, limited. */
const plain = new pg.Pool({ connectionString: URL, max: 4 });
const plainSearch = async (query: string) =>
  (await plain.query(
    `select doc from ${pg.escapeIdentifier(schema)}.messages
     where revolt_id = $1 and channel_id = any($2::text[]) and words @@ websearch_to_tsquery('simple', $3)
     order by created_at desc, id desc limit 50`,
    [target.id, readable, query],
  )).rows;

type Measured = Load & { byKind: number[][] };

/** `search` run by CONCURRENCY loops for `ms`, cycling through the query kinds: all latencies, and each kind's. */
async function measure(search: (query: string) => Promise<unknown>, ms: number): Promise<Measured> {
  const byKind = kinds.map((): number[] => []);
  const load = await loadFor(ms, CONCURRENCY, async (i) => {
    const started = performance.now();
    await search(queries[kinds[i % kinds.length]!]);
    byKind[i % kinds.length]!.push(performance.now() - started);
  });
  return { ...load, byKind };
}

/** Both searches for MS each, in alternating thirds, so that both see the same share of whatever else the machine runs. */
async function compare(planned: (query: string) => Promise<unknown>, baseline: (query: string) => Promise<unknown>) {
  const rounds: Array<[Measured, Measured]> = [];
  for (let round = 0; round < 3; round++) rounds.push([await measure(planned, MS / 3), await measure(baseline, MS / 3)]);
  const merged = (side: 0 | 1): Measured => {
    const parts = rounds.map((pair) => pair[side]);
    const seconds = parts.reduce((sum, part) => sum + part.latencies.length / part.perSecond, 0);
    const latencies = parts.flatMap((part) => part.latencies);
    return { latencies, perSecond: latencies.length / seconds, byKind: kinds.map((_, k) => parts.flatMap((part) => part.byKind[k]!)) };
  };
  return { planned: merged(0), baseline: merged(1) };
}
const figures = ({ latencies, perSecond }: Load) =>
  `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, ${Math.round(perSecond)} searches/s`;

try {
  let loaded = 0;
  for (const size of SIZES) {
    const started = performance.now();
    await load(size - loaded);
    loaded = size;
    const loadSeconds = (performance.now() - started) / 1000;
    await plain.query(`vacuum ${pg.escapeIdentifier(schema)}.messages`);
    const { planned, baseline } = await compare((query) => search.search({ revoltId: target.id, channelIds: readable, query, limit: 50 }), plainSearch);
    console.log(`rows ${size}: ${figures(planned)} at ${CONCURRENCY} concurrent (loaded in ${loadSeconds.toFixed(1)} s)`);
    console.log(`  p99 by query: ${kinds.map((kind, k) => `${kind} ${percentile(planned.byKind[k]!, 99).toFixed(2)} ms`).join(', ')}`);
    console.log(`  baseline, plain query: ${figures(baseline)}; p99 by query: ${kinds.map((kind, k) => `${kind} ${percentile(baseline.byKind[k]!, 99).toFixed(2)} ms`).join(', ')}`);
    console.log(`  planned / plain: ${(planned.perSecond / baseline.perSecond).toFixed(2)}x searches/s, p99 ${(percentile(baseline.latencies, 99) / percentile(planned.latencies, 99)).toFixed(2)}x lower`);
  }
} finally {
  await Promise.all([search.close(), plain.end()]);
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
  await client.end();
}
