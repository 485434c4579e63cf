/**
 * Cold load of a big revolt aggregate: the command handler's first load of a revolt of BENCH_MEMBERS members (default
 * 10,000) from the PostgreSQL event store (a schema of its own), folded in one batch (`evolveAll`, each collection
 * copied once) against the baseline in the same run, the same load folded one event at a time (`evolve`, whose
 * copy-on-write copies the member map on every join: O(n²)). Each load is a fresh handler (nothing cached).
 *
 *   node --import tsx bench/revolt-load.ts      (BENCH_MEMBERS, default 10000; BENCH_RUNS, default 3)
 */
import { randomUUID } from 'node:crypto';
import { buildEventCatalogue } from '../src/catalogue.ts';
import { CommandHandler } from '../src/commands/handler.ts';
import { DEFAULT_EVERYONE_PERMISSIONS } from '../src/commands/permissions/catalogue.ts';
import { revoltDecider, revoltStream } from '../src/commands/revolts/decide.ts';
import type { EventToAppend } from '../src/events/envelope.ts';
import { PostgresEventStore } from '../src/events/store/postgres.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/revolution_test';
const APPEND = 500;

const catalogue = buildEventCatalogue();
const run = randomUUID().replaceAll('-', '').slice(0, 8);
const hex = (kind: number, n: number) => (kind * 0x1_000_000 + n).toString(16).padStart(24, '0');
const revoltId = hex(2, 0);
const at = new Date().toISOString();

function envelope(type: string, data: Record<string, unknown>): EventToAppend {
  catalogue.assertValid(type, data);
  return { id: randomUUID(), type, data, metadata: { correlationId: run, causationId: run, actorId: null, occurredAt: at, schemaVersion: catalogue.schemaVersionOf(type) } };
}

/** The revolt (its @everyone role, one text channel) and MEMBERS + 1 joins, the owner's first. */
function revoltEvents(): EventToAppend[] {
  const settings = { isPublic: true, verificationLevel: 0, maxMembers: MEMBERS + 1, allowInvites: true, slowMode: 0, contentFilter: 0, region: 'eu', premiumTier: 0 };
  const channelSettings = { isNsfw: false, slowMode: 0, isPrivate: false, archived: false };
  return [
    envelope('RevoltCreated', { revoltId, ownerId: hex(1, 0), name: 'Bench', description: '', settings, inviteCode: `bench${run}`, createdAt: at }),
    envelope('RoleCreated', { revoltId, roleId: hex(4, 0), name: '@everyone', color: '#99aab5', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0, isManaged: true, createdAt: at }),
    envelope('ChannelCreated', { revoltId, channelId: hex(3, 0), name: 'general', type: 'text', position: 0, settings: channelSettings, createdAt: at }),
    ...Array.from({ length: MEMBERS + 1 }, (_, u) => envelope('MemberJoined', { revoltId, revoltName: 'Bench', userId: hex(1, u), username: `u${u}`, isOwner: u === 0, joinedAt: at })),
  ];
}

/** The median of RUNS cold loads, in ms, by a fresh handler each time. */
async function coldLoad(store: PostgresEventStore, decider: typeof revoltDecider): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const { state } = await new CommandHandler(store, { catalogue }).load(revoltStream(revoltId), decider);
    times.push(performance.now() - started);
    if (state.members.size !== MEMBERS + 1) throw new Error(`${state.members.size} members loaded, ${MEMBERS + 1} expected`);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const store = new PostgresEventStore({ connectionString: PG_URL, schema: `rn_bench_revolt_load_${run}` });
try {
  await store.migrate();
  const events = revoltEvents();
  for (let i = 0; i < events.length; i += APPEND) await store.appendToStream(revoltStream(revoltId), events.slice(i, i + APPEND), 'any');
  console.log(`revolt: ${MEMBERS + 1} joins, ${events.length} events, median of ${RUNS} cold loads`);
  const { evolveAll: _, ...oneByOne } = revoltDecider;
  await new CommandHandler(store, { catalogue }).load(revoltStream(revoltId), revoltDecider); // warm-up: connections, JIT
  const baseline = await coldLoad(store, oneByOne);
  const batched = await coldLoad(store, revoltDecider);
  console.log(`cold load, one event at a time (evolve): ${baseline.toFixed(1)} ms`);
  console.log(`cold load, in one batch (evolveAll): ${batched.toFixed(1)} ms`);
  console.log(`one at a time / batch: ${(baseline / batched).toFixed(2)}x`);
} finally {
  await store.dropSchema();
  await store.close();
}
