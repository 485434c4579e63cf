/**
 * Notification fan-out: an @everyone mention in a revolt of BENCH_MEMBERS members (default 10,000). Prints the time
 * from the message's append to its last recipient's notification in the read model (the reactor choosing the
 * recipients and appending one NotificationsIssued, then the `notifications` read model writing one document per
 * recipient in bulk), and notifications written per second, against the projection engine's plain message rate in
 * the same run (BENCH_MESSAGES messages without mentions through the `messages` read model). The history (the
 * registrations, the revolt, its joins) is dated a day back, so the reactor remembers it without notifying it.
 * PostgreSQL event store (a schema of its own), FerretDB (a database of its own). The machine is shared: compare the ratio.
 *
 *   node --import tsx bench/notifications.ts      (BENCH_MEMBERS, default 10000; BENCH_MESSAGES, default 2000)
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildEventCatalogue } from '../src/catalogue.ts';
import { CommandHandler } from '../src/commands/handler.ts';
import { DEFAULT_EVERYONE_PERMISSIONS } from '../src/commands/permissions/catalogue.ts';
import type { EventToAppend } from '../src/events/envelope.ts';
import { PostgresEventStore } from '../src/events/store/postgres.ts';
import { ProjectionEngine } from '../src/projections/engine/engine.ts';
import { laneQueuePrefix, redisOptions } from '../src/projections/engine/queues.ts';
import { messagesReadModel } from '../src/projections/messages/read-model.ts';
import { NOTIFICATIONS, notificationsReadModel } from '../src/projections/notifications/read-model.ts';
import { createReactorEngine, REACTORS } from '../src/reactors/engine.ts';
import { NOTIFICATIONS_REACTOR, notificationsReactor } from '../src/reactors/notifications.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/revolution_test';
const MONGO_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APPEND = 500;
const WAIT_MS = 3_600_000;

const catalogue = buildEventCatalogue();
const run = randomUUID().replaceAll('-', '').slice(0, 8);
const hex = (kind: number, n: number) => (kind * 0x1_000_000 + n).toString(16).padStart(24, '0');
const user = (n: number) => hex(1, n);
const revoltId = hex(2, 0);
const general = hex(3, 0);
const everyoneRole = hex(4, 0);

/** The history's clock: a day and an hour back, a millisecond per event. */
let clock = Date.now() - 25 * 60 * 60 * 1000;
const past = () => new Date(clock++).toISOString();

type Fact = { type: string; data: Record<string, unknown> };

function envelope({ type, data }: Fact, occurredAt: string): EventToAppend {
  catalogue.assertValid(type, data);
  return { id: randomUUID(), type, data, metadata: { correlationId: randomUUID(), causationId: randomUUID(), actorId: null, occurredAt, schemaVersion: catalogue.schemaVersionOf(type) } };
}

async function appendAll(store: PostgresEventStore, streamId: string, facts: Fact[]): Promise<void> {
  for (let i = 0; i < facts.length; i += APPEND) await store.appendToStream(streamId, facts.slice(i, i + APPEND).map((fact) => envelope(fact, past())), 'any');
}

/** Everyone registers; user 0 founds the revolt (the @everyone role, one text channel) and the others join it. */
async function history(store: PostgresEventStore): Promise<void> {
  const users: Fact[] = Array.from({ length: MEMBERS + 1 }, (_, u) => ({
    type: 'UserRegistered',
    data: { userId: user(u), email: `u${u}@bench.example`, username: `u${u}`, discriminator: '0001', passwordHash: 'x', userType: 'creator', joinedAt: past() },
  }));
  await appendAll(store, 'bench-users', users);
  const settings = { isPublic: true, verificationLevel: 0, maxMembers: MEMBERS + 1, allowInvites: true, slowMode: 0, contentFilter: 0, region: 'eu', premiumTier: 0 };
  const at = past();
  const revolt: Fact[] = [
    { type: 'RevoltCreated', data: { revoltId, ownerId: user(0), name: 'Bench', description: '', settings, inviteCode: `bench${run}`, createdAt: at } },
    { type: 'RoleCreated', data: { revoltId, roleId: everyoneRole, name: '@everyone', color: '#99aab5', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0, isManaged: true, createdAt: at } },
    { type: 'ChannelCreated', data: { revoltId, channelId: general, name: 'general', type: 'text', position: 0, settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false }, createdAt: at } },
    ...Array.from({ length: MEMBERS + 1 }, (_, u) => ({ type: 'MemberJoined', data: { revoltId, revoltName: 'Bench', userId: user(u), username: `u${u}`, isOwner: u === 0, joinedAt: at } })),
  ];
  await appendAll(store, `revolt-${revoltId}`, revolt);
}

let messages = 0;
const message = (content: string, mentionEveryone: boolean, mentions: string[] = []): EventToAppend => {
  const messageId = hex(5, messages++);
  const data = { messageId, channelId: general, revoltId, authorId: user(0), content, type: 'text', mentions, roleMentions: [], channelMentions: [], mentionEveryone, createdAt: new Date().toISOString() };
  return envelope({ type: 'MessageSent', data }, data.createdAt);
};

const store = new PostgresEventStore({ connectionString: PG_URL, schema: `rn_bench_notifications_${run}` });
const client = await MongoClient.connect(MONGO_URL, { maxPoolSize: 5 });
const db = client.db(`rn_bench_notifications_${run}`);
const prefix = `rn_bench_${run}`;
const following = { store, db, redis: { url: REDIS_URL }, prefix, catalogue, logger: pino({ level: 'warn' }), registry: new Registry() };
const readModels = new ProjectionEngine({ ...following, readModels: [messagesReadModel, notificationsReadModel] });
const reactors = createReactorEngine({ ...following, registry: new Registry(), reactors: [notificationsReactor()], commands: new CommandHandler(store, { catalogue }) });

async function reach(engine: ProjectionEngine, lane: string, position: number): Promise<void> {
  if (!(await engine.waitForPosition(lane, position, WAIT_MS))) throw new Error(`${lane} did not reach ${position}`);
}

try {
  await store.migrate();
  await history(store);
  await Promise.all([readModels.start(), reactors.start()]);
  const head = await store.headPosition();
  await Promise.all([reach(readModels, 'messages', head), reach(readModels, NOTIFICATIONS, head), reach(reactors, NOTIFICATIONS_REACTOR, head)]);
  console.log(`members: ${MEMBERS}, plain messages: ${MESSAGES}`);

  // The baseline: plain messages through the projection engine's messages lane, in appends of 10.
  const plainStarted = performance.now();
  for (let i = 0; i < MESSAGES; i += 10) {
    await store.appendToStream(`bench-messages-${i}`, Array.from({ length: Math.min(10, MESSAGES - i) }, () => message('hello', false)), 'any');
  }
  await reach(readModels, 'messages', await store.headPosition());
  const plainSeconds = (performance.now() - plainStarted) / 1000;
  const messageRate = MESSAGES / plainSeconds;
  console.log(`projection engine, messages read model: ${plainSeconds.toFixed(2)} s, ${Math.round(messageRate)} messages/s`);
  await Promise.all([reach(reactors, NOTIFICATIONS_REACTOR, await store.headPosition()), reach(readModels, NOTIFICATIONS, await store.headPosition())]);

  // A first mention of one member loads the revolt into the reactor's command handler (cached from then on, as it is
  // in a running system, where the reactor has answered the revolt's joins): timed apart.
  const warming = performance.now();
  const { position: warm } = await store.appendToStream(`message-${hex(5, messages)}`, [message(`hi <@${user(1)}>`, false, [user(1)])], 'any');
  await reach(reactors, NOTIFICATIONS_REACTOR, warm);
  console.log(`reactor's first load of the revolt (${MEMBERS + 1} joins): ${((performance.now() - warming) / 1000).toFixed(2)} s`);
  await reach(readModels, NOTIFICATIONS, await store.headPosition());

  // The mention: from its append to the last recipient's document.
  const sent = performance.now();
  const { position } = await store.appendToStream(`message-${hex(5, messages)}`, [message('@everyone release day', true)], 'any');
  await reach(reactors, NOTIFICATIONS_REACTOR, position);
  const chosen = performance.now();
  const issued = await store.headPosition();
  await reach(readModels, NOTIFICATIONS, issued);
  const written = performance.now();
  const count = (await db.collection(NOTIFICATIONS).countDocuments({ type: 'channel_mention' })) - 1;
  if (count !== MEMBERS) throw new Error(`${count} notifications written, ${MEMBERS} expected`);
  const writeSeconds = (written - chosen) / 1000;
  const notificationRate = count / writeSeconds;
  console.log(`@everyone: reactor chose ${count} recipients and appended ${issued - position} event(s) in ${((chosen - sent) / 1000).toFixed(2)} s`);
  console.log(`notifications read model: ${count} notifications in ${writeSeconds.toFixed(2)} s, ${Math.round(notificationRate)} notifications/s`);
  console.log(`message to last recipient's notification: ${((written - sent) / 1000).toFixed(2)} s`);
  console.log(`notifications/s / plain messages/s: ${(notificationRate / messageRate).toFixed(2)}x`);
} finally {
  await Promise.allSettled([readModels.stop(), reactors.stop()]);
  for (const [name, kind] of [['messages'], [NOTIFICATIONS], [NOTIFICATIONS_REACTOR, REACTORS.kind]] as const) {
    const queue = new Queue(name, { connection: redisOptions({ url: REDIS_URL }), prefix: laneQueuePrefix(prefix, kind) });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await db.dropDatabase();
  await client.close();
  await store.dropSchema();
  await store.close();
}
