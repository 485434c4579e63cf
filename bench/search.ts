/**
 * Message search (the PostgreSQL full-text search read model, src/projections/search) at growing sizes: p50/p99
 * and searches/s at 10 concurrent searches, each for the newest 50 hits of a query in one revolt, limited to the
 * 8 of its 10 channels the searcher may read. Rows are loaded directly in batches through the read model's own
 * lane writes (synthetic MessageSent events, no event store, no HTTP): a fifth of them in the searched revolt, the
 * rest across 99 others; contents of 8 words drawn from a Zipf-distributed vocabulary of 5,000. Queries cycle
 * through a common word, a mid word, a rare word, two words, a quoted phrase, and a word found nowhere.
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
import { loadFor, percentile } from './support/load.ts';

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
const queries = [vocabulary[1]!, vocabulary[60]!, vocabulary[3000]!, `${vocabulary[2]} ${vocabulary[40]}`, `"${vocabulary[0]} ${vocabulary[1]}"`, 'absentword'];
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

try {
  let loaded = 0;
  for (const size of SIZES) {
    const started = performance.now();
    await load(size - loaded);
    loaded = size;
    const loadSeconds = (performance.now() - started) / 1000;
    const { perSecond, latencies } = await loadFor(MS, CONCURRENCY, (i) => search.search({ revoltId: target.id, channelIds: readable, query: queries[i % queries.length]!, limit: 50 }));
    console.log(
      `rows ${size}: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, ${Math.round(perSecond)} searches/s at ${CONCURRENCY} concurrent (loaded in ${loadSeconds.toFixed(1)} s)`,
    );
  }
} finally {
  await search.close();
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
  await client.end();
}
