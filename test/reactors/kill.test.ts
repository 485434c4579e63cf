import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REACTORS } from '../../src/reactors/engine.ts';
import { voiceAccessReactor } from '../../src/reactors/voice-access.ts';
import { ALICE, BOB, kicked, VOICE, voiceScene } from '../commands/voice-scene.ts';
import { eachWithPostgresStore } from '../support/each-test.ts';
import { PG_TEST_URL } from '../support/engines.ts';
import { appendEvents, eventually } from '../projections/engine/helpers.ts';
import { reactorEnv, sweeps, tallies, tallyReactor } from './support.ts';

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
  const t = eachWithPostgresStore(reactorEnv, 100);
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL'); // before the environment's cleanup (after-hooks run last registered first)
  });

  it('issues the command once when a new process takes over (SIGKILL)', async () => {
    const reactor = reactorProcess({ REACTOR_PG_URL: PG_TEST_URL, REACTOR_SCHEMA: t.schema, REACTOR_DB: t.env.db.databaseName, REACTOR_PREFIX: t.env.prefix });
    child = reactor.child;
    await eventually(() => reactor.output().includes('started'), 30_000, `the reactor process to start: ${reactor.output()}`);

    await appendEvents(t.store, 'channel-a', 2, 'MessageSent');
    const head = await appendEvents(t.store, 'channel-b', 1, 'MessageSent');
    const first = (await t.store.readAll({ after: 0, maxCount: 1 }))[0]!;
    await eventually(() => reactor.output().includes(`appended ${first.id}`), 10_000, 'the first command');
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Killed in the window: the command's event is in the store, the checkpoint still before the event it answers.
    expect((await tallies(t.store)).map((event) => event.data)).toEqual([{ of: first.id }]);
    const checkpoint = await t.env.db.collection(REACTORS.checkpoints).findOne({ _id: 'tally' as never });
    expect(checkpoint?.position).toBeLessThan(first.position);

    const engine = t.env.reactorEngine({ store: t.store, reactors: [tallyReactor()] });
    await engine.start();
    expect(await engine.waitForPosition('tally', head, 30_000)).toBe(true);
    const sent = (await t.store.readAll({ after: 0, maxCount: 100 })).filter((event) => event.type === 'MessageSent');
    expect((await tallies(t.store)).map((event) => event.data)).toEqual(sent.map((event) => ({ of: event.id })));
  });

  it('removes a kicked member from voice once when the process was killed between the sweep and the release (SIGKILL)', async () => {
    const scene = await voiceScene(t.store);
    await scene.voice.join(ALICE, VOICE);
    await scene.voice.join(BOB, VOICE);
    const reactor = reactorProcess({ REACTOR_PG_URL: PG_TEST_URL, REACTOR_SCHEMA: t.schema, REACTOR_DB: t.env.db.databaseName, REACTOR_PREFIX: t.env.prefix, REACTOR_KIND: 'voice-access' });
    child = reactor.child;
    await eventually(() => reactor.output().includes('started'), 30_000, `the reactor process to start: ${reactor.output()}`);

    const [kick] = await scene.revolt(kicked(ALICE));
    await eventually(() => reactor.output().includes(`appended ${kick!.id}`), 10_000, 'the sweep');
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Killed in the window: the sweep's event is in the store, the release and the checkpoint are not.
    expect((await sweeps(t.store)).left.map((e) => e.data)).toEqual([expect.objectContaining({ userId: ALICE, reason: 'removed' })]);
    expect((await sweeps(t.store)).released).toEqual([]);
    const checkpoint = await t.env.db.collection(REACTORS.checkpoints).findOne({ _id: 'voice-access' as never });
    expect(checkpoint?.position).toBeLessThan(kick!.position);

    const engine = t.env.reactorEngine({ store: t.store, reactors: [voiceAccessReactor], commands: scene.commands, catalogue: scene.catalogue });
    await engine.start();
    expect(await engine.waitForPosition('voice-access', kick!.position, 30_000)).toBe(true);
    const { left, released } = await sweeps(t.store);
    expect([left, released].map((events) => events.map((e) => (e.data as { userId: string }).userId))).toEqual([[ALICE], [ALICE]]);
    expect((await scene.voice.channel(VOICE))?.participants.map((p) => p.userId)).toEqual([BOB]);
  });
});
