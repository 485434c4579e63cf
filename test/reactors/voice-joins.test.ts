import { describe, expect, it } from 'vitest';
import { voiceJoinsReactor } from '../../src/reactors/voice-joins.ts';
import { ALICE, MOD, SMALL, VIDEO, VOICE } from '../commands/voice-scene.ts';
import { tracked } from './support.ts';
import { voiceReactorSuite } from './voice-suite.ts';

const pastMinJobInterval = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('the voice-joins reactor completes joins and moves a crash cut short, once', () => {
  const t = voiceReactorSuite(voiceJoinsReactor, ALICE);
  const participants = async (channelId: string) => (await t.scene.voice.channel(channelId))?.participants.map((p) => p.userId) ?? [];
  const reasons = async (channelId: string) =>
    (await t.scene.channelEvents(channelId)).filter((e) => e.type === 'VoiceParticipantLeft').map((e) => (e.data as { reason: string }).reason);

  it('claims a join the channel let in, and ends the stay it replaced, caused by the events', async () => {
    const reactor = t.engine();
    await reactor.start();
    await t.scene.joinCutShort(ALICE, SMALL);
    await expect.poll(() => participants(VOICE), { timeout: 5_000 }).toEqual([]);
    expect(await participants(SMALL)).toEqual([ALICE]);
    expect(await t.scene.voice.currentChannel(ALICE)).toMatchObject({ channelId: SMALL });
    const joined = (await t.scene.channelEvents(SMALL)).find((e) => e.type === 'VoiceParticipantJoined')!;
    const claimed = (await t.scene.userEvents(ALICE)).at(-1)!;
    expect(claimed).toMatchObject({ type: 'VoiceChannelClaimed', metadata: { causationId: joined.id, actorId: 'reactor:voice-joins' } });

    await t.scene.joinCutShort(ALICE, VIDEO, { movedBy: MOD, movedFrom: SMALL });
    await expect.poll(() => participants(SMALL), { timeout: 5_000 }).toEqual([]);
    expect([await reasons(VOICE), await reasons(SMALL)]).toEqual([['switched'], ['moved']]);
    expect(await t.scene.voice.currentChannel(ALICE)).toMatchObject({ channelId: VIDEO });
  });

  it('redelivered, replayed from 0 or rebuilt, it issues nothing more', async () => {
    const joins = tracked(voiceJoinsReactor);
    const reactor = t.env.reactorEngine({ store: t.scene.store, reactors: [joins], commands: t.scene.commands, catalogue: t.scene.catalogue });
    await reactor.start({ runWorkers: false, runFeeder: false });
    const before = await t.scene.store.headPosition();
    await t.scene.joinCutShort(ALICE, SMALL);
    const cutShort = await t.scene.store.readAll({ after: before, maxCount: 100 });
    const batch = { after: before, last: cutShort.at(-1)!.position, events: cutShort };
    const lane = reactor.lane('voice-joins');
    const unwritten = () => reactor.checkpoints.set('voice-joins', before, 'running'); // as if the checkpoint had not been written
    await unwritten();
    await lane.process({ id: 'first', data: batch });
    const settled = await t.scene.store.headPosition();
    // The job applies the batch and what the store holds after it: the events of the reactor's own commands too.
    const reacted = joins.reactions;
    const issued = joins.issued.length;
    expect(reacted).toBeGreaterThan(0);
    expect(joins.issued.slice(0, 2)).toEqual([false, false]); // the claim and the leave
    await unwritten();
    await lane.process({ id: 'again', data: batch });
    const twin = t.env.reactorEngine({ store: t.scene.store, reactors: [voiceJoinsReactor], catalogue: t.scene.catalogue });
    await unwritten();
    await pastMinJobInterval(); // or this lane would wait its 20 ms and find the twin's checkpoint already moved
    await Promise.all([lane.process({ id: 'one', data: batch }), twin.lane('voice-joins').process({ id: 'other', data: batch })]);
    // Reacted to again twice.
    expect(joins.reactions).toBe(3 * reacted);
    // The claim and the leave found again; whatever else the pass issued decided nothing again (the head is unchanged).
    const foundAgain = [true, true, ...joins.issued.slice(2, issued)];
    expect(joins.issued.slice(issued)).toEqual([...foundAgain, ...foundAgain]);
    expect(await t.scene.store.headPosition()).toBe(settled);

    await reactor.stop();
    await reactor.checkpoints.set('voice-joins', 0, 'running');
    const running = t.engine();
    await running.start();
    expect(await running.waitForPosition('voice-joins', settled, 5_000)).toBe(true);
    expect((await running.rebuild('voice-joins')).position).toBe(settled);
    expect(await t.scene.store.headPosition()).toBe(settled);
    expect([await participants(VOICE), await participants(SMALL), await reasons(VOICE)]).toEqual([[], [ALICE], ['switched']]);
  });
});
