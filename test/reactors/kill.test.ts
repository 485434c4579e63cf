import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/events/store/postgres.ts';
import { REACTORS } from '../../src/reactors/engine.ts';
import { PG_TEST_URL } from '../support/engines.ts';
import { appendEvents, eventually, randomName } from '../projections/engine/helpers.ts';
import { reactorEnv, tallies, tallyReactor, type ReactorEnv } from './support.ts';

/** Runs reactor-process.ts; `output` collects what it prints. */
function reactorProcess(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const script = fileURLToPath(new URL('./reactor-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

describe('a reactor process killed between its command and its checkpoint', () => {
  let env: ReactorEnv;
  let store: PostgresEventStore;
  let schema: string;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    env = await reactorEnv();
    schema = randomName();
    store = new PostgresEventStore({ connectionString: PG_TEST_URL, schema, pollIntervalMs: 100 });
    await store.migrate();
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await env.cleanup();
    await store.dropSchema();
    await store.close();
  });

  it('issues the command once when a new process takes over (SIGKILL)', async () => {
    const reactor = reactorProcess({ REACTOR_PG_URL: PG_TEST_URL, REACTOR_SCHEMA: schema, REACTOR_DB: env.db.databaseName, REACTOR_PREFIX: env.prefix });
    child = reactor.child;
    await eventually(() => reactor.output().includes('started'), 30_000, `the reactor process to start: ${reactor.output()}`);

    await appendEvents(store, 'channel-a', 2, 'MessageSent');
    const head = await appendEvents(store, 'channel-b', 1, 'MessageSent');
    const first = (await store.readAll({ after: 0, maxCount: 1 }))[0]!;
    await eventually(() => reactor.output().includes(`appended ${first.id}`), 10_000, 'the first command');
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Killed in the window: the command's event is in the store, the checkpoint still before the event it answers.
    expect((await tallies(store)).map((event) => event.data)).toEqual([{ of: first.id }]);
    const checkpoint = await env.db.collection(REACTORS.checkpoints).findOne({ _id: 'tally' as never });
    expect(checkpoint?.position).toBeLessThan(first.position);

    const engine = env.reactorEngine({ store, reactors: [tallyReactor()] });
    await engine.start();
    expect(await engine.waitForPosition('tally', head, 30_000)).toBe(true);
    const sent = (await store.readAll({ after: 0, maxCount: 100 })).filter((event) => event.type === 'MessageSent');
    expect((await tallies(store)).map((event) => event.data)).toEqual(sent.map((event) => ({ of: event.id })));
  });
});
