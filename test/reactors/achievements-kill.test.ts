import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ACHIEVEMENTS_REACTOR } from '../../src/reactors/achievements.ts';
import { REACTORS } from '../../src/reactors/engine.ts';
import { eachWithPostgresStore } from '../support/each-test.ts';
import { PG_TEST_URL } from '../support/engines.ts';
import { eventually } from '../projections/engine/helpers.ts';
import { ids, messageId, messageSent, revoltCreated, time } from '../projections/fixtures.ts';
import { achievementsEnv, record, unlocked } from './achievements-support.ts';

const { ada, bob } = ids;

describe('an achievements process killed at an unlock, before its counters', () => {
  const t = eachWithPostgresStore(achievementsEnv, 100);
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL'); // before the environment's cleanup (after-hooks run last registered first)
  });

  it.each(['before', 'after'])('unlocks once and counts once when a new process takes over (SIGKILL %s the append)', async (hang) => {
    const script = fileURLToPath(new URL('./achievements-process.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, REACTOR_PG_URL: PG_TEST_URL, REACTOR_SCHEMA: t.schema, REACTOR_DB: t.env.db.databaseName, REACTOR_PREFIX: t.env.prefix, REACTOR_HANG: hang },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(() => output.includes('started'), 30_000, `the reactor process to start: ${output}`);

    const first = await record(t.store, `message-${messageId(1)}`, messageSent(1), time(1));
    await record(t.store, `message-${messageId(2)}`, messageSent(2), time(2));
    await record(t.store, `revolt-${ids.revolt}`, revoltCreated(3, { ownerId: bob }), time(3));
    const head = await t.store.headPosition();
    await eventually(() => output.includes(`${hang} ${first.id}`), 15_000, `the first unlock: ${output}`);
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Killed in the window: the unlock is in the store (or not yet); neither ada's counters nor the checkpoint moved past its cause.
    expect(await unlocked(t.store)).toEqual(hang === 'after' ? [[ada, 'first_words']] : []);
    expect((await t.env.counters(ada))?._pos ?? 0).toBeLessThan(first.position);
    const checkpoint = await t.env.db.collection(REACTORS.checkpoints).findOne({ _id: ACHIEVEMENTS_REACTOR as never });
    expect(checkpoint?.position).toBeLessThan(first.position);

    const engine = t.env.engine({ store: t.store });
    await engine.start();
    expect(await engine.waitForPosition(ACHIEVEMENTS_REACTOR, head, 30_000)).toBe(true);
    expect(await unlocked(t.store)).toEqual([
      [ada, 'first_words'],
      [bob, 'founder'],
    ]);
    expect((await t.env.counters(ada))?.counters).toEqual({ messagesSent: 2 });
  }, 90_000);
});
