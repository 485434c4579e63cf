import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { voiceAccessReactor } from '../../src/reactors/voice-access.ts';
import { ALICE, BOB, kicked, overwrite, SMALL, VOICE } from '../commands/voice-scene.ts';
import { sweeps, tracked } from './support.ts';
import { voiceReactorSuite } from './voice-suite.ts';

const pastMinJobInterval = () => new Promise((resolve) => setTimeout(resolve, 30));

const who = (events: RecordedEvent[]) => events.map((e) => [(e.data as { userId: string }).userId, (e.data as { channelId: string }).channelId]);

describe('the voice-access reactor removes whoever lost access from voice, once', () => {
  const t = voiceReactorSuite(voiceAccessReactor, ALICE, BOB);

  it('answers a kick and a CONNECT taken away with their sweeps, caused by the revolt event', async () => {
    const reactor = t.engine();
    await reactor.start();
    const [kick] = await t.scene.revolt(kicked(ALICE));
    expect(await reactor.waitForPosition('voice-access', kick!.position, 5_000)).toBe(true);
    const [deny] = await t.scene.revolt(overwrite(VOICE, BOB, ['CONNECT']));
    expect(await reactor.waitForPosition('voice-access', deny!.position, 5_000)).toBe(true);

    const { left, released } = await sweeps(t.scene.store);
    expect(who(left)).toEqual([[ALICE, VOICE], [BOB, VOICE]]);
    expect(who(released)).toEqual([[ALICE, VOICE], [BOB, VOICE]]);
    for (const [i, cause] of [kick!, deny!].entries()) {
      for (const effect of [left[i]!, released[i]!]) expect(effect.metadata).toMatchObject({ causationId: cause.id, actorId: 'reactor:voice-access' });
    }
    expect(await t.scene.voice.channel(VOICE)).toBeNull();
    expect(await t.scene.voice.currentChannel(ALICE)).toBeNull();
  });

  it('redelivery: the kick applied again, or by two workers at once, removes once', async () => {
    const access = tracked(voiceAccessReactor);
    const reactor = t.env.reactorEngine({ store: t.scene.store, reactors: [access], commands: t.scene.commands, catalogue: t.scene.catalogue });
    await reactor.start({ runWorkers: false, runFeeder: false });
    const before = await t.scene.store.headPosition();
    const [kick] = await t.scene.revolt(kicked(ALICE));
    const batch = { after: before, last: kick!.position, events: [kick!] };
    const lane = reactor.lane('voice-access');
    const unwritten = () => reactor.checkpoints.set('voice-access', before, 'running'); // as if the checkpoint had not been written
    await unwritten();
    await lane.process({ id: 'first', data: batch });
    await unwritten();
    await lane.process({ id: 'again', data: batch });
    // Twins in two processes (their own command handlers and queues), both before the checkpoint moves.
    const twin = t.env.reactorEngine({ store: t.scene.store, reactors: [voiceAccessReactor], catalogue: t.scene.catalogue });
    await unwritten();
    await pastMinJobInterval(); // or this lane would wait its 20 ms and find the twin's checkpoint already moved
    await Promise.all([lane.process({ id: 'one', data: batch }), twin.lane('voice-access').process({ id: 'other', data: batch })]);

    const { left, released } = await sweeps(t.scene.store);
    expect(who(left)).toEqual([[ALICE, VOICE]]);
    expect(who(released)).toEqual([[ALICE, VOICE]]);
    // Reacted to three times here: the sweep and the release once; given again, the claim released, nothing is left to do.
    expect([access.reactions, access.issued]).toEqual([3, [false, false]]);
    expect((await t.scene.voice.channel(VOICE))?.participants.map((p) => p.userId)).toEqual([BOB]);
  });

  it('replay: from checkpoint 0, or by a rebuild, removes no one more', async () => {
    const reactor = t.engine();
    await reactor.start();
    await t.scene.voice.join(ALICE, SMALL);
    const [kick] = await t.scene.revolt(kicked(ALICE));
    expect(await reactor.waitForPosition('voice-access', kick!.position, 5_000)).toBe(true);
    const after = await t.scene.store.headPosition();

    await reactor.checkpoints.set('voice-access', 0, 'running');
    await reactor.lane('voice-access').enqueueCatchUp();
    expect(await reactor.waitForPosition('voice-access', after, 5_000)).toBe(true);
    expect((await reactor.rebuild('voice-access')).position).toBe(after);

    expect(await t.scene.store.headPosition()).toBe(after);
    expect(who((await sweeps(t.scene.store)).left)).toEqual([[ALICE, SMALL]]);
  });
});
