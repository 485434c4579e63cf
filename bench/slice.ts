/**
 * The thin slice under load, against an in-process server on its own isolated engines: commands per second for
 * each step (register, create, join, send) and, for messages, the p50/p99 time from the send command's answer
 * to the message being readable in MongoDB. Baselines measured in the same run: a raw event-store append and a
 * raw MongoDB insert of the same message document, at the same concurrency. The machine is noisy: compare ratios.
 *
 *   npm run bench:slice          (MESSAGES=1000 CONCURRENCY=10 USERS=40 by default)
 */
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { messageDocument } from '../src/projections/messages/document.ts';
import { startTestServer } from '../test/support/api.ts';
import { load, percentile, row, type Load } from './support/load.ts';

const MESSAGES = Number(process.env.MESSAGES ?? 1000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const USERS = Number(process.env.USERS ?? 40);

const rows: Array<Record<string, string | number>> = [];
const report = (step: string, result: Load, extra?: Record<string, string | number>) => void rows.push(row(step, result, extra));

const t = await startTestServer('bench', { LOG_LEVEL: 'silent', RATE_LIMIT_SCALE: '10000' });
try {
  const { api, server } = t;
  const users: Array<{ id: string; token: string }> = [];
  report('register (argon2id)', await load(USERS, CONCURRENCY, async (i) => void users.push(await api.register(`bench${i}`))));
  const owner = users[0]!;
  const revolt = (await api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Bench' } })).body;
  const channel = revolt.channels[0] as string;
  report('join by invite', await load(USERS - 1, CONCURRENCY, async (i) => {
    const res = await api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: users[i + 1]!.token });
    if (res.status !== 200) throw new Error(`join: ${res.status}`);
  }));

  const visibleMs: number[] = [];
  const pending: Promise<void>[] = [];
  const send = await load(MESSAGES, CONCURRENCY, async (i) => {
    const res = await api.request('POST', `/v1/channels/${channel}/messages`, { token: users[i % USERS]!.token, body: { content: `message ${i}` } });
    if (res.status !== 201) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
    const answered = performance.now();
    const position = Number(res.headers['x-event-position']);
    pending.push(server.engine.waitForPosition('messages', position, 60_000).then((ok) => {
      if (!ok) throw new Error(`message at ${position} never became readable`);
      visibleMs.push(performance.now() - answered);
    }));
  });
  const lagWhenSent = Object.fromEntries((await server.engine.status()).map((s) => [s.readModel, s.lag]));
  await Promise.all(pending);
  report('send message', send, { 'answer→readable p50 ms': +percentile(visibleMs, 50).toFixed(1), 'answer→readable p99 ms': +percentile(visibleMs, 99).toFixed(1) });
  const stored = await server.services.db.collection('messages').countDocuments({ channelId: new ObjectId(channel) });
  if (stored !== MESSAGES) throw new Error(`expected ${MESSAGES} messages in MongoDB, found ${stored}`);

  const store = server.services.store;
  report('baseline: raw append (1 event)', await load(MESSAGES, CONCURRENCY, async (i) => {
    const metadata = { correlationId: 'b', causationId: 'b', actorId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 };
    await store.appendToStream(`bench-${i}`, [{ id: randomUUID(), type: 'BenchEvent', data: { i }, metadata }], 'no_stream');
  }));
  const scratch = server.services.db.collection('bench_messages');
  report('baseline: raw MongoDB insert', await load(MESSAGES, CONCURRENCY, async (i) => {
    const messageId = new ObjectId().toHexString();
    const doc = messageDocument({ messageId, channelId: channel, revoltId: revolt.id, authorId: owner.id, content: `m${i}`, type: 'text', mentions: [], roleMentions: [], channelMentions: [], mentionEveryone: false, createdAt: new Date().toISOString() });
    await scratch.insertOne(doc);
  }));
  await scratch.drop();

  console.log(`slice benchmark: ${MESSAGES} messages, concurrency ${CONCURRENCY}, ${USERS} users, node ${process.version}`);
  console.table(rows);
  console.log('projection lag (positions) per read model when the last message was answered:', lagWhenSent);
  const [sendRow, appendRow, insertRow] = [rows[2]!, rows[3]!, rows[4]!];
  console.log(`send message vs raw append: ${((sendRow['ops/s'] as number) / (appendRow['ops/s'] as number)).toFixed(2)}x throughput`);
  console.log(`send message vs raw MongoDB insert: ${((sendRow['ops/s'] as number) / (insertRow['ops/s'] as number)).toFixed(2)}x throughput`);
} finally {
  await t.close();
}
