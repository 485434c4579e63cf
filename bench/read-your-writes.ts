/**
 * What read-your-writes without asking costs a read, against an in-process server on its own isolated engines:
 * GET /v1/users/@me by users whose writes the read models have applied (one Redis lookup more per read), the same
 * read right after the reader created a revolt (answered once the revolts read model has it, so the read waits for
 * the users one, which holds the founder's memberships) and right after registering, and a raw Redis GET at the same
 * concurrency (the lookup's floor). Latencies are the read's alone; ops/s counts command and read together where
 * there is a command. The machine is noisy: compare within a run.
 *
 *   node --import tsx bench/read-your-writes.ts     (READS=2000 READERS=10 USERS=20 by default)
 */
import { startTestServer } from '../test/support/api.ts';
import { loadCounted as load, row, timed, type Load } from './support/load.ts';

const READS = Number(process.env.READS ?? 2000);
const READERS = Number(process.env.READERS ?? 10);
const USERS = Number(process.env.USERS ?? 20);

const rows: Array<Record<string, string | number>> = [];
const report = (step: string, result: Load) => void rows.push(row(step, result));

const t = await startTestServer('bench_ryw', { LOG_LEVEL: 'silent', RATE_LIMIT_SCALE: '10000' });
try {
  const { api, server } = t;
  const users: Array<Awaited<ReturnType<typeof api.register>>> = [];
  for (let i = 0; i < USERS; i++) users.push(await api.register(`reader${i}`));
  const me = (token: string) => api.request('GET', '/v1/users/@me', { token });
  if (!(await server.engine.waitForPosition('users', users.at(-1)!.position, 60_000))) throw new Error('the users lane did not catch up');

  report('GET @me, own writes applied', await load(READS, READERS, (i) => timed(() => me(users[i % USERS]!.token))));

  // Answered once the revolts read model has it: the read of the founder's memberships waits for the users one.
  let seenAfterCreate = 0;
  report('GET @me right after creating a revolt', await load(USERS * 5, READERS, async (i) => {
    const { token } = users[i % USERS]!;
    const created = await api.request('POST', '/v1/revolts', { token, body: { name: `Revolt ${i}` } });
    if (created.status !== 201) throw new Error(`POST /v1/revolts: ${created.status}`);
    let read: Awaited<ReturnType<typeof me>> | undefined;
    const ms = await timed(async () => (read = await me(token)));
    const memberships = (read?.body.revoltMemberships ?? []) as Array<{ revoltId: string }>;
    if (read?.status === 200 && memberships.some((m) => m.revoltId === created.body.id)) seenAfterCreate += 1;
    return ms;
  }));

  let seenAfterRegister = 0;
  report('GET @me right after registering', await load(USERS, 1, async (i) => {
    const user = await api.register(`fresh${i}`);
    let status = 0;
    const ms = await timed(async () => (status = (await me(user.token)).status));
    if (status === 200) seenAfterRegister += 1;
    return ms;
  }));

  const redis = server.services.redis;
  report('baseline: Redis GET', await load(READS, READERS, (i) => timed(() => redis.get(`bench-ryw-${i % USERS}`))));

  console.log(`read-your-writes benchmark: ${READS} reads, ${READERS} readers, ${USERS} users, node ${process.version}`);
  console.table(rows);
  console.log(`own write seen: ${seenAfterCreate}/${USERS * 5} reads right after creating a revolt, ${seenAfterRegister}/${USERS} right after registering`);
} finally {
  await t.close();
}
