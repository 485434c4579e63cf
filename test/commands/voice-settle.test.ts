import { describe, expect, it } from 'vitest';
import { fold } from '../../src/commands/decider.ts';
import { revoltDecider } from '../../src/commands/revolts/decide.ts';
import type { VoiceChannelCommandOf, VoiceUserCommand } from '../../src/commands/voice/commands.ts';
import { voiceChannelDecider, voiceUserDecider, voiceUserStream } from '../../src/commands/voice/decide.ts';
import type { VoiceEventOf } from '../../src/commands/voice/events.ts';
import { endReplacedStay, settleJoin, type Claimed } from '../../src/commands/voice/settle.ts';
import { now } from '../../src/commands/voice/steps.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { given } from '../support/decider.ts';
import { ALICE, BOB, joinVoice, MOD, MOD_ROLE, OWNER, R, revoltHistory, SMALL, VIDEO, VOICE, voiceScene, type VoiceScene } from './voice-scene.ts';

const revolt = fold(revoltDecider, revoltHistory());
const t = (seconds: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + seconds * 1000).toISOString();

const joinCommand = (userId: string, channelId: string, at: string, extra: Partial<VoiceChannelCommandOf<'JoinVoice'>> = {}): VoiceChannelCommandOf<'JoinVoice'> =>
  joinVoice({ userId, channelId, revolt, at, ...extra });
const claim = (channelId: string, joinedAt: string, movedBy?: string): VoiceUserCommand => ({
  type: 'ClaimVoiceChannel',
  userId: ALICE,
  revoltId: R,
  channelId,
  joinedAt,
  ...(movedBy && { movedBy }),
  at: joinedAt,
});

describe('deciding a join once, and what follows from it', () => {
  it('a claim names the stay it replaces; a claim for an older stay, or the same one again, changes nothing', () => {
    const inVoice = voiceUserDecider.decide(claim(VOICE, t(1)), voiceUserDecider.initialState);
    given(voiceUserDecider, inVoice).when(claim(SMALL, t(5), MOD)).then([
      { type: 'VoiceChannelClaimed', data: { userId: ALICE, revoltId: R, channelId: SMALL, joinedAt: t(5), previousChannelId: VOICE, previousJoinedAt: t(1), movedBy: MOD, at: t(5) } },
    ]);
    given(voiceUserDecider, inVoice).when(claim(VOICE, t(1))).then([]);
    given(voiceUserDecider, inVoice).when(claim(SMALL, t(0))).then([]);
    // A new stay in the channel claimed (one left without its release being recorded) replaces no other channel.
    given(voiceUserDecider, inVoice).when(claim(VOICE, t(9))).then([{ type: 'VoiceChannelClaimed', data: { userId: ALICE, revoltId: R, channelId: VOICE, joinedAt: t(9), at: t(9) } }]);
  });

  it('a leave naming a stay ends that stay only', () => {
    const history = voiceChannelDecider.decide(joinCommand(ALICE, VOICE, t(1)), voiceChannelDecider.initialState);
    const leave = (joinedAt: string) => ({ type: 'LeaveVoice', channelId: VOICE, userId: ALICE, reason: 'switched', joinedAt, at: t(3) }) as const;
    given(voiceChannelDecider, history).when(leave(t(0))).then([]);
    given(voiceChannelDecider, history).when(leave(t(1))).then((events) => expect(events.map((e) => e.type)).toEqual(['VoiceParticipantLeft', 'VoiceSessionEnded']));
  });

  it('a move is decided whole by the channel let into: MOVE_MEMBERS in both channels, and outranking the member', () => {
    const inVoice = [...voiceChannelDecider.decide(joinCommand(BOB, VOICE, t(1)), voiceChannelDecider.initialState)];
    const moveIn = (actorId: string, over = revolt) => joinCommand(BOB, SMALL, t(5), { movedBy: actorId, movedFrom: VOICE, revolt: over });
    given(voiceChannelDecider).when(moveIn(MOD)).then((events) => expect(events[1]).toMatchObject({ type: 'VoiceParticipantJoined', data: { userId: BOB, movedBy: MOD } }));
    given(voiceChannelDecider).when(moveIn(ALICE)).thenFails(403, 'forbidden');
    const notInSource = fold(revoltDecider, [{ type: 'ChannelPermissionsSet', data: { revoltId: R, channelId: VOICE, overwrite: { type: 'member', id: MOD, allow: [], deny: ['MOVE_MEMBERS'] }, at: t(2) } }], revolt);
    given(voiceChannelDecider).when(moveIn(MOD, notInSource)).thenFails(403, 'forbidden');
    given(voiceChannelDecider).when(joinCommand(OWNER, SMALL, t(5), { movedBy: MOD, movedFrom: VOICE })).thenFails(403, 'forbidden');
    // Its second half, given again once the stay it ends is over, changes nothing, whoever asks.
    const over = { type: 'MoveVoiceMember', channelId: VOICE, actorId: ALICE, userId: BOB, toChannelId: SMALL, revolt, joinedAt: t(0), at: t(6) } as const;
    given(voiceChannelDecider, inVoice).when(over).then([]);
  });
});

const joinedIn = (events: RecordedEvent[]) => (events.find((e) => e.type === 'VoiceParticipantJoined') as RecordedEvent & VoiceEventOf<'VoiceParticipantJoined'>).data;
const claimedIn = (events: RecordedEvent[]) => (events.findLast((e) => e.type === 'VoiceChannelClaimed') as RecordedEvent & VoiceEventOf<'VoiceChannelClaimed'>).data as Claimed;
const kinds = (events: readonly RecordedEvent[]) => events.map((e) => [e.type, (e.data as { reason?: string }).reason].filter(Boolean).join(':'));
const participants = async (scene: VoiceScene, channelId: string) => (await scene.voice.channel(channelId))?.participants.map((p) => p.userId) ?? [];

describe('the rest of a join, taken from its events', () => {
  it('a join a crash cut short after the channel let the user in is claimed, and the channel they were in left, once', async () => {
    const scene = await voiceScene();
    await scene.voice.join(ALICE, VOICE);
    const stay = await scene.joinCutShort(ALICE, SMALL);
    expect([await participants(scene, VOICE), await participants(scene, SMALL)]).toEqual([[ALICE], [ALICE]]);

    const settled = await settleJoin(scene.steps(ALICE), stay);
    expect(settled.flatMap((r) => kinds(r.events))).toEqual(['VoiceChannelClaimed', 'VoiceParticipantLeft:switched', 'VoiceSessionEnded']);
    expect(await scene.voice.currentChannel(ALICE)).toMatchObject({ channelId: SMALL });
    expect(await participants(scene, VOICE)).toEqual([]);

    const head = await scene.store.headPosition();
    expect((await settleJoin(scene.steps(ALICE), stay)).flatMap((r) => r.events)).toEqual([]);
    expect(await endReplacedStay(scene.steps(ALICE), claimedIn(await scene.userEvents(ALICE)))).toMatchObject([{ events: [] }]);
    expect(await scene.store.headPosition()).toBe(head);
  });

  it('a late one for a stay that is over changes nothing; for a stay older than the one claimed, it ends that stay', async () => {
    const scene = await voiceScene();
    await scene.voice.join(ALICE, VOICE);
    const over = joinedIn(await scene.channelEvents(VOICE));
    await scene.voice.leave(ALICE);
    const head = await scene.store.headPosition();
    expect(await settleJoin(scene.steps(ALICE), over)).toEqual([]);
    expect(await scene.store.headPosition()).toBe(head);

    const stale = await scene.joinCutShort(ALICE, VOICE);
    await scene.voice.join(ALICE, SMALL); // the user moved on before the cut-short join was settled
    const settled = await settleJoin(scene.steps(ALICE), stale);
    expect(settled.flatMap((r) => kinds(r.events))).toEqual(['VoiceParticipantLeft:switched', 'VoiceSessionEnded']);
    expect(await scene.voice.currentChannel(ALICE)).toMatchObject({ channelId: SMALL });
    expect([await participants(scene, VOICE), await participants(scene, SMALL)]).toEqual([[], [ALICE]]);
  });

  it("a move's second half ends the stay as a move, or, the moderator no longer allowed, as a switch", async () => {
    for (const lost of [false, true]) {
      const scene = await voiceScene();
      await scene.voice.join(ALICE, VOICE);
      // A move cut short after its claim: the move out of the source is what is left.
      const stay = await scene.joinCutShort(ALICE, VIDEO, { movedBy: MOD, movedFrom: VOICE });
      await scene.steps(MOD).run(voiceUserStream(ALICE), voiceUserDecider, { type: 'ClaimVoiceChannel', ...stay, movedBy: MOD, at: now() });
      if (lost) await scene.revolt({ type: 'MemberRoleRevoked', data: { revoltId: R, userId: MOD, roleId: MOD_ROLE, by: OWNER, at: now() } });
      const [ended] = await endReplacedStay(scene.steps(MOD), claimedIn(await scene.userEvents(ALICE)));
      expect(ended!.events[0]).toMatchObject(lost ? { data: { reason: 'switched' } } : { data: { reason: 'moved', by: MOD, toChannelId: VIDEO } });
      expect([await participants(scene, VOICE), await participants(scene, VIDEO)]).toEqual([[], [ALICE]]);
    }
  });
});
