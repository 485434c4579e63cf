import { describe, expect, it } from 'vitest';
import { fold } from '../../src/commands/decider.ts';
import type { Permission } from '../../src/commands/permissions/catalogue.ts';
import type { FeatureAccess } from '../../src/commands/progress/features.ts';
import { revoltDecider } from '../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../src/commands/revolts/events.ts';
import type { RevoltState } from '../../src/commands/revolts/state.ts';
import type { VoiceChannelCommand, VoiceChannelCommandOf, VoiceSelfPatch } from '../../src/commands/voice/commands.ts';
import { voiceChannelDecider, voiceUserDecider } from '../../src/commands/voice/decide.ts';
import type { VoiceChannelEvent, VoiceEventOf } from '../../src/commands/voice/events.ts';
import { given } from '../support/decider.ts';
import { UNGATED } from '../support/features.ts';
import { courseOf, letter } from './progress/fixtures.ts';
import { joinVoice, media } from './voice-scene.ts';

const id = (c: string) => c.repeat(24);
const R = id('a');
const EVERYONE = id('b');
const GENERAL = id('c');
const [VOICE, SMALL, VIDEO] = [id('d'), id('e'), id('f')];
const [MOD_ROLE, HELPER_ROLE] = [id('7'), id('8')];
const [OWNER, MOD, ALICE, BOB, CAROL, HELPER, OUTSIDER] = [id('1'), id('2'), id('3'), id('4'), id('5'), id('6'), id('9')];
const SESSION = id('0');
const SESSION2 = '0'.repeat(23) + '1';

const t0 = '2026-01-01T00:00:00.000Z';
const t = (seconds: number) => new Date(Date.parse(t0) + seconds * 1000).toISOString();

/**
 * owner; mod (role at 10: MUTE_MEMBERS, DEAFEN_MEMBERS, MOVE_MEMBERS); helper (role at 10 too, same powers);
 * alice, bob, carol (plain). Channels: general (text), voice, small (voice, maxMembers 2), video (video, 720p).
 */
function revoltHistory(): RevoltEvent[] {
  const events: RevoltEvent[] = revoltDecider.decide(
    { type: 'CreateRevolt', revoltId: R, everyoneRoleId: EVERYONE, defaultChannelId: GENERAL, inviteCode: 'INVITE01', owner: { userId: OWNER, username: 'owner' }, name: 'R', description: '', settings: {}, features: UNGATED, at: t0 },
    revoltDecider.initialState,
  );
  for (const [userId, username] of [[MOD, 'mod'], [ALICE, 'alice'], [BOB, 'bob'], [CAROL, 'carol'], [HELPER, 'helper']] as const) {
    events.push({ type: 'MemberJoined', data: { revoltId: R, revoltName: 'R', userId, username, isOwner: false, joinedAt: t0 } });
  }
  const powers: Permission[] = ['MUTE_MEMBERS', 'DEAFEN_MEMBERS', 'MOVE_MEMBERS'];
  events.push(
    { type: 'RoleCreated', data: { revoltId: R, roleId: MOD_ROLE, name: 'mod', color: '#ffffff', permissions: powers, position: 10, isManaged: false, createdAt: t0 } },
    { type: 'RoleCreated', data: { revoltId: R, roleId: HELPER_ROLE, name: 'helper', color: '#ffffff', permissions: powers, position: 10, isManaged: false, createdAt: t0 } },
    { type: 'MemberRoleGranted', data: { revoltId: R, userId: MOD, roleId: MOD_ROLE, by: OWNER, at: t0 } },
    { type: 'MemberRoleGranted', data: { revoltId: R, userId: HELPER, roleId: HELPER_ROLE, by: OWNER, at: t0 } },
    media(VOICE, 'voice', 'voice'),
    media(SMALL, 'small', 'voice', { maxMembers: 2 }),
    media(VIDEO, 'video', 'video', { videoQuality: '720p', bitrate: 96_000 }),
  );
  return events;
}
const baseRevolt: RevoltState = fold(revoltDecider, revoltHistory());
const revoltAfter = (...extra: RevoltEvent[]) => fold(revoltDecider, extra, baseRevolt);
const overwrite = (channelId: string, targetId: string, deny: Permission[], type: 'role' | 'member' = 'member', allow: Permission[] = []): RevoltEvent => ({
  type: 'ChannelPermissionsSet',
  data: { revoltId: R, channelId, overwrite: { type, id: targetId, allow, deny }, at: t0 },
});

const joinCommand = (userId: string, at = t0, extra: Partial<VoiceChannelCommandOf<'JoinVoice'>> = {}): VoiceChannelCommandOf<'JoinVoice'> =>
  joinVoice({ userId, channelId: VOICE, revolt: baseRevolt, at, sessionId: SESSION, ...extra });

/** The events of `users` joining `channelId` one after another (the first at t0, then a second apart). */
function joins(users: string[], channelId = VOICE, revolt = baseRevolt): VoiceChannelEvent[] {
  const events: VoiceChannelEvent[] = [];
  users.forEach((userId, i) => {
    const state = fold(voiceChannelDecider, events);
    events.push(...voiceChannelDecider.decide(joinCommand(userId, t(i), { channelId, revolt }), state));
  });
  return events;
}

const flags = { selfMute: false, selfDeaf: false, serverMute: false, serverDeaf: false, video: false, screenShare: false };
const onSession = { sessionId: SESSION, revoltId: R, channelId: VOICE };
const selfUpdate = (actorId: string, patch: VoiceChannelCommandOf<'UpdateVoiceSelf'>['patch'], revolt = baseRevolt, at = t(10)): VoiceChannelCommand => ({
  type: 'UpdateVoiceSelf',
  channelId: VOICE,
  actorId,
  patch,
  revolt,
  features: UNGATED,
  at,
});
const moderation = (type: 'ServerMute' | 'ServerDeafen', actorId: string, userId: string, value = true, revolt = baseRevolt): VoiceChannelCommand => ({
  type,
  channelId: VOICE,
  actorId,
  userId,
  value,
  revolt,
  at: t(10),
});
const changed = (events: VoiceChannelEvent[]) => (events[0] as VoiceEventOf<'VoiceStateChanged'>).data;

describe('joining', () => {
  it('the first participant starts a session with the channel settings; the next ones join it; joining again changes nothing', () => {
    given(voiceChannelDecider).when(joinCommand(ALICE)).then([
      {
        type: 'VoiceSessionStarted',
        data: {
          ...onSession,
          settings: { maxParticipants: 99, bitrate: 64_000, sampleRate: 48_000, region: 'auto', echoCancellation: true, noiseSuppression: true, autoGainControl: true },
          startedAt: t0,
        },
      },
      { type: 'VoiceParticipantJoined', data: { ...onSession, userId: ALICE, username: 'alice', ...flags, joinedAt: t0 } },
    ]);
    given(voiceChannelDecider, joins([ALICE]))
      .when(joinCommand(BOB, t(5), { sessionId: SESSION2, selfMute: true }))
      .then([{ type: 'VoiceParticipantJoined', data: { ...onSession, userId: BOB, username: 'bob', ...flags, selfMute: true, joinedAt: t(5) } }]);
    given(voiceChannelDecider, joins([ALICE])).when(joinCommand(ALICE, t(5))).then([]);
  });

  it('a video channel records its own settings', () => {
    given(voiceChannelDecider).when(joinCommand(ALICE, t0, { channelId: VIDEO })).then((events) => {
      expect(events[0]).toMatchObject({ type: 'VoiceSessionStarted', data: { channelId: VIDEO, settings: { bitrate: 96_000, maxParticipants: 99 } } });
    });
  });

  it('needs a voice or video channel, CONNECT, and a channel one can see in a revolt one belongs to', () => {
    given(voiceChannelDecider).when(joinCommand(ALICE, t0, { channelId: GENERAL })).thenFails(422, 'not_a_voice_channel');
    given(voiceChannelDecider).when(joinCommand(OUTSIDER)).thenFails(404, 'not_found');
    given(voiceChannelDecider).when(joinCommand(ALICE, t0, { channelId: id('c').slice(0, 23) + 'f' })).thenFails(404, 'not_found');
    const noConnect = revoltAfter(overwrite(VOICE, EVERYONE, ['CONNECT'], 'role'));
    given(voiceChannelDecider).when(joinCommand(ALICE, t0, { revolt: noConnect })).thenFails(403, 'forbidden');
    expect(() => voiceChannelDecider.decide(joinCommand(ALICE, t0, { revolt: noConnect }), voiceChannelDecider.initialState)).toThrow(
      expect.objectContaining({ details: { missing: ['CONNECT'] } }),
    );
    given(voiceChannelDecider).when(joinCommand(OWNER, t0, { revolt: noConnect })).then((events) => expect(events).toHaveLength(2));
    const hidden = revoltAfter(overwrite(VOICE, ALICE, ['VIEW_CHANNEL']));
    given(voiceChannelDecider).when(joinCommand(ALICE, t0, { revolt: hidden })).thenFails(404, 'not_found');
    const banned = revoltAfter({ type: 'MemberBanned', data: { revoltId: R, userId: ALICE, by: OWNER, wasMember: true, at: t0 } });
    given(voiceChannelDecider).when(joinCommand(ALICE, t0, { revolt: banned })).thenFails(404, 'not_found');
  });

  it("respects the channel's maxMembers", () => {
    given(voiceChannelDecider, joins([ALICE, BOB], SMALL)).when(joinCommand(CAROL, t(5), { channelId: SMALL })).thenFails(422, 'voice_channel_full');
    given(voiceChannelDecider, joins([ALICE], SMALL)).when(joinCommand(CAROL, t(5), { channelId: SMALL })).then((events) => expect(events).toHaveLength(1));
  });

  it('without SPEAK one joins muted, and cannot unmute', () => {
    const mute = revoltAfter(overwrite(VOICE, BOB, ['SPEAK']));
    given(voiceChannelDecider).when(joinCommand(BOB, t0, { revolt: mute })).then((events) => {
      expect(events[1]).toMatchObject({ type: 'VoiceParticipantJoined', data: { selfMute: true } });
    });
    const history = voiceChannelDecider.decide(joinCommand(BOB, t0, { revolt: mute }), voiceChannelDecider.initialState);
    given(voiceChannelDecider, history).when(selfUpdate(BOB, { selfMute: false }, mute)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(selfUpdate(BOB, { selfDeaf: true }, mute)).then((events) => expect(changed(events).selfDeaf).toBe(true));
  });
});

describe('leaving and sessions', () => {
  it('a participant leaving records how long they stayed; the last one ends the session', () => {
    const history = joins([ALICE, BOB]);
    given(voiceChannelDecider, history)
      .when({ type: 'LeaveVoice', channelId: VOICE, userId: ALICE, reason: 'left', at: t(60) })
      .then([
        {
          type: 'VoiceParticipantLeft',
          data: { ...onSession, userId: ALICE, reason: 'left', joinedAt: t0, leftAt: t(60), durationMs: 60_000, screenShareMs: 0 },
        },
      ]);
    const aliceGone = [...history, ...voiceChannelDecider.decide({ type: 'LeaveVoice', channelId: VOICE, userId: ALICE, reason: 'left', at: t(60) }, fold(voiceChannelDecider, history))];
    given(voiceChannelDecider, aliceGone)
      .when({ type: 'LeaveVoice', channelId: VOICE, userId: BOB, reason: 'connection_lost', at: t(90) })
      .then([
        { type: 'VoiceParticipantLeft', data: { ...onSession, userId: BOB, reason: 'connection_lost', joinedAt: t(1), leftAt: t(90), durationMs: 89_000, screenShareMs: 0 } },
        { type: 'VoiceSessionEnded', data: { ...onSession, startedAt: t0, endedAt: t(90), durationMs: 90_000 } },
      ]);
    given(voiceChannelDecider, aliceGone).when({ type: 'LeaveVoice', channelId: VOICE, userId: ALICE, reason: 'left', at: t(95) }).then([]);
  });

  it('after a session ended, the next join starts a new one', () => {
    const history = [...joins([ALICE]), ...voiceChannelDecider.decide({ type: 'LeaveVoice', channelId: VOICE, userId: ALICE, reason: 'left', at: t(5) }, fold(voiceChannelDecider, joins([ALICE])))];
    const state = given(voiceChannelDecider, history).state;
    expect(state.session).toBeNull();
    given(voiceChannelDecider, history).when(joinCommand(ALICE, t(9), { sessionId: SESSION2 })).then((events) => {
      expect(events.map((e) => [e.type, e.data.sessionId])).toEqual([
        ['VoiceSessionStarted', SESSION2],
        ['VoiceParticipantJoined', SESSION2],
      ]);
    });
  });
});

describe("a participant's own state", () => {
  const history = joins([ALICE, BOB]);
  const after = (...commands: VoiceChannelCommand[]) => {
    const events = [...history];
    for (const command of commands) events.push(...voiceChannelDecider.decide(command, fold(voiceChannelDecider, events)));
    return events;
  };

  it('mutes and unmutes; the same state again changes nothing', () => {
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { selfMute: true })).then([
      { type: 'VoiceStateChanged', data: { ...onSession, userId: ALICE, by: ALICE, ...flags, selfMute: true, at: t(10) } },
    ]);
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { selfMute: false })).then([]);
  });

  it('deafening mutes; undeafening restores the mute as it was; unmuting while deafened undeafens (as in Discord)', () => {
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { selfDeaf: true })).then((events) => {
      expect(changed(events)).toMatchObject({ selfDeaf: true, selfMute: false });
    });
    const deafened = after(selfUpdate(ALICE, { selfDeaf: true }));
    expect(fold(voiceChannelDecider, deafened).session?.participants.get(ALICE)).toMatchObject({ selfDeaf: true });
    given(voiceChannelDecider, deafened).when(selfUpdate(ALICE, { selfMute: false })).then((events) => {
      expect(changed(events)).toMatchObject({ selfDeaf: false, selfMute: false });
    });
    const mutedThenDeafened = after(selfUpdate(ALICE, { selfMute: true }), selfUpdate(ALICE, { selfDeaf: true }));
    given(voiceChannelDecider, mutedThenDeafened).when(selfUpdate(ALICE, { selfDeaf: false })).then((events) => {
      expect(changed(events)).toMatchObject({ selfDeaf: false, selfMute: true });
    });
  });

  it('the camera needs VIDEO, sharing the screen needs STREAM; turning them off needs nothing', () => {
    const noVideo = revoltAfter(overwrite(VOICE, ALICE, ['VIDEO', 'STREAM']));
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { video: true, screenShare: true })).then((events) => {
      expect(changed(events)).toMatchObject({ video: true, screenShare: true });
    });
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { video: true }, noVideo)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { screenShare: true }, noVideo)).thenFails(403, 'forbidden');
    const sharing = after(selfUpdate(ALICE, { video: true, screenShare: true }, baseRevolt, t(10)));
    given(voiceChannelDecider, sharing).when(selfUpdate(ALICE, { video: false, screenShare: false }, noVideo, t(40))).then((events) => {
      expect(changed(events)).toMatchObject({ video: false, screenShare: false, screenShareMs: 30_000 });
    });
  });

  it('the camera and the screen share are features of the course: locked until the letter that unlocks them, after the permission', () => {
    const course = courseOf(letter(1, { unlocks: ['video'] }), letter(2, { unlocks: ['screen_share'] }));
    const standing = (...completed: number[]): FeatureAccess => ({ course, completedLetters: new Set(completed) });
    const gated = (patch: VoiceSelfPatch, features: FeatureAccess, revolt = baseRevolt): VoiceChannelCommand => ({
      type: 'UpdateVoiceSelf',
      channelId: VOICE,
      actorId: ALICE,
      patch,
      revolt,
      features,
      at: t(10),
    });
    const camera = (features: FeatureAccess, revolt = baseRevolt) => gated({ video: true }, features, revolt);
    const screen = (features: FeatureAccess) => gated({ screenShare: true }, features);
    given(voiceChannelDecider, history).when(camera(standing())).thenFails(403, 'feature_locked');
    given(voiceChannelDecider, history).when(camera(standing(1))).then((events) => expect(changed(events)).toMatchObject({ video: true }));
    given(voiceChannelDecider, history).when(camera(standing(), revoltAfter(overwrite(VOICE, ALICE, ['VIDEO'])))).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(screen(standing(1))).thenFails(403, 'feature_locked');
    given(voiceChannelDecider, history).when(screen(standing(2))).then((events) => expect(changed(events)).toMatchObject({ screenShare: true }));
    const sharing = after(selfUpdate(ALICE, { video: true, screenShare: true }));
    given(voiceChannelDecider, sharing).when(gated({ video: false, screenShare: false }, standing())).then((events) => {
      expect(changed(events)).toMatchObject({ video: false, screenShare: false });
    });
    expect(() => voiceChannelDecider.decide(screen(standing()), fold(voiceChannelDecider, history))).toThrow(
      expect.objectContaining({ details: { letterId: 2, feature: 'screen_share' } }),
    );
  });

  it('screen sharing still on when one leaves counts up to the leave', () => {
    const sharing = after(selfUpdate(ALICE, { screenShare: true }, baseRevolt, t(10)));
    given(voiceChannelDecider, sharing).when({ type: 'LeaveVoice', channelId: VOICE, userId: ALICE, reason: 'left', at: t(25) }).then((events) => {
      expect(events[0]).toMatchObject({ type: 'VoiceParticipantLeft', data: { durationMs: 25_000, screenShareMs: 15_000 } });
    });
  });

  it('refuses someone not in the channel, and someone who may no longer be there (kicked, no CONNECT, channel gone)', () => {
    given(voiceChannelDecider, history).when(selfUpdate(CAROL, { selfMute: true })).thenFails(422, 'not_in_voice');
    const kicked = revoltAfter({ type: 'MemberKicked', data: { revoltId: R, userId: ALICE, by: OWNER, at: t0 } });
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { selfMute: true }, kicked)).thenFails(403, 'voice_access_lost');
    const noConnect = revoltAfter(overwrite(VOICE, ALICE, ['CONNECT']));
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { selfMute: true }, noConnect)).thenFails(403, 'voice_access_lost');
    const deleted = revoltAfter({ type: 'ChannelDeleted', data: { revoltId: R, channelId: VOICE, at: t0 } });
    given(voiceChannelDecider, history).when(selfUpdate(ALICE, { selfMute: true }, deleted)).thenFails(403, 'voice_access_lost');
  });
});

describe('the media layer: speaking and streams', () => {
  const history = joins([ALICE]);
  const speaking = (userId: string, value: boolean): VoiceChannelCommand => ({ type: 'SetSpeaking', channelId: VOICE, userId, speaking: value, at: t(3) });
  const stream = (kind: 'audio' | 'video' | 'screen', streamId: string | null): VoiceChannelCommand => ({ type: 'SetVoiceStream', channelId: VOICE, userId: ALICE, kind, streamId, at: t(3) });

  it('records speaking changes only; a muted participant is never speaking', () => {
    given(voiceChannelDecider, history).when(speaking(ALICE, true)).then([{ type: 'VoiceSpeakingChanged', data: { ...onSession, userId: ALICE, speaking: true, at: t(3) } }]);
    given(voiceChannelDecider, history).when(speaking(ALICE, false)).then([]);
    const speakingNow = [...history, ...voiceChannelDecider.decide(speaking(ALICE, true), fold(voiceChannelDecider, history))];
    given(voiceChannelDecider, speakingNow).when(speaking(ALICE, true)).then([]);
    const muted = [...speakingNow, ...voiceChannelDecider.decide(selfUpdate(ALICE, { selfMute: true }), fold(voiceChannelDecider, speakingNow))];
    expect(fold(voiceChannelDecider, muted).session?.participants.get(ALICE)?.speaking).toBe(false);
    given(voiceChannelDecider, muted).when(speaking(ALICE, true)).then([]);
    given(voiceChannelDecider, history).when(speaking(BOB, true)).thenFails(404, 'not_found');
  });

  it('records stream ids; a camera or screen stream only while that is on; turning it off forgets the stream', () => {
    given(voiceChannelDecider, history).when(stream('audio', 'producer-1')).then([
      { type: 'VoiceStreamSet', data: { ...onSession, userId: ALICE, kind: 'audio', streamId: 'producer-1', at: t(3) } },
    ]);
    given(voiceChannelDecider, history).when(stream('video', 'cam-1')).thenFails(422, 'video_not_enabled');
    given(voiceChannelDecider, history).when(stream('screen', 'screen-1')).thenFails(422, 'screen_share_not_enabled');
    const camera = [...history, ...voiceChannelDecider.decide(selfUpdate(ALICE, { video: true }), fold(voiceChannelDecider, history))];
    const withCam = [...camera, ...voiceChannelDecider.decide(stream('video', 'cam-1'), fold(voiceChannelDecider, camera))];
    given(voiceChannelDecider, withCam).when(stream('video', 'cam-1')).then([]);
    expect(fold(voiceChannelDecider, withCam).session?.participants.get(ALICE)?.streams).toEqual({ video: 'cam-1' });
    const off = [...withCam, ...voiceChannelDecider.decide(selfUpdate(ALICE, { video: false }), fold(voiceChannelDecider, withCam))];
    expect(fold(voiceChannelDecider, off).session?.participants.get(ALICE)?.streams).toEqual({});
    given(voiceChannelDecider, withCam).when(stream('video', null)).then((events) => expect(events[0]).toMatchObject({ data: { streamId: null } }));
  });
});

describe('moderators: server mute and deafen', () => {
  const history = joins([ALICE, MOD, HELPER, OWNER]);

  it('server mute needs MUTE_MEMBERS, server deafen DEAFEN_MEMBERS; setting the same again changes nothing', () => {
    given(voiceChannelDecider, history).when(moderation('ServerMute', MOD, ALICE)).then([
      { type: 'VoiceStateChanged', data: { ...onSession, userId: ALICE, by: MOD, ...flags, serverMute: true, at: t(10) } },
    ]);
    given(voiceChannelDecider, history).when(moderation('ServerDeafen', MOD, ALICE)).then((events) => expect(changed(events)).toMatchObject({ serverDeaf: true, serverMute: false }));
    given(voiceChannelDecider, history).when(moderation('ServerMute', MOD, ALICE, false)).then([]);
    given(voiceChannelDecider, history).when(moderation('ServerMute', ALICE, MOD)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(moderation('ServerDeafen', ALICE, MOD)).thenFails(403, 'forbidden');
    const noDeafen = revoltAfter({ type: 'RoleUpdated', data: { revoltId: R, roleId: MOD_ROLE, changes: { permissions: ['MUTE_MEMBERS'] }, at: t0 } });
    given(voiceChannelDecider, history).when(moderation('ServerDeafen', MOD, ALICE, true, noDeafen)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(moderation('ServerMute', MOD, ALICE, true, noDeafen)).then((events) => expect(events).toHaveLength(1));
  });

  it('follows the role hierarchy like kicks: not on an equal or higher role, never on the owner; the owner moderates anyone', () => {
    given(voiceChannelDecider, history).when(moderation('ServerMute', MOD, HELPER)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(moderation('ServerMute', MOD, OWNER)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(moderation('ServerMute', OWNER, MOD)).then((events) => expect(changed(events).serverMute).toBe(true));
    given(voiceChannelDecider, history).when(moderation('ServerMute', MOD, MOD)).then((events) => expect(changed(events).serverMute).toBe(true));
  });

  it('a server-muted participant cannot speak, and unmuting themselves does not lift it', () => {
    const muted = [...history, ...voiceChannelDecider.decide(moderation('ServerMute', MOD, ALICE), fold(voiceChannelDecider, history))];
    given(voiceChannelDecider, muted).when({ type: 'SetSpeaking', channelId: VOICE, userId: ALICE, speaking: true, at: t(11) }).then([]);
    given(voiceChannelDecider, muted).when(selfUpdate(ALICE, { selfMute: false })).then([]);
  });

  it('targets only participants of the channel', () => {
    given(voiceChannelDecider, history).when(moderation('ServerMute', MOD, BOB)).thenFails(404, 'not_found');
  });
});

describe('moderators: move and disconnect', () => {
  const history = joins([ALICE, MOD, HELPER]);
  const move = (actorId: string, userId: string, toChannelId: string, revolt = baseRevolt): VoiceChannelCommand => ({
    type: 'MoveVoiceMember',
    channelId: VOICE,
    actorId,
    userId,
    toChannelId,
    revolt,
    at: t(20),
  });

  it('moving out needs MOVE_MEMBERS in both channels and outranking the member; it records where they went', () => {
    given(voiceChannelDecider, history).when(move(MOD, ALICE, SMALL)).then([
      {
        type: 'VoiceParticipantLeft',
        data: { ...onSession, userId: ALICE, reason: 'moved', by: MOD, toChannelId: SMALL, joinedAt: t0, leftAt: t(20), durationMs: 20_000, screenShareMs: 0 },
      },
    ]);
    given(voiceChannelDecider, history).when(move(ALICE, MOD, SMALL)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(move(MOD, HELPER, SMALL)).thenFails(403, 'forbidden');
    const notInTarget = revoltAfter(overwrite(SMALL, MOD, ['MOVE_MEMBERS']));
    given(voiceChannelDecider, history).when(move(MOD, ALICE, SMALL, notInTarget)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(move(MOD, ALICE, GENERAL)).thenFails(422, 'not_a_voice_channel');
    given(voiceChannelDecider, history).when(move(MOD, BOB, SMALL)).thenFails(404, 'not_found');
    given(voiceChannelDecider, history).when(move(MOD, ALICE, VOICE)).then([]);
  });

  it('moving in needs no CONNECT of the member (as in Discord), only the mover’s MOVE_MEMBERS and room in the channel', () => {
    const noConnect = revoltAfter(overwrite(SMALL, ALICE, ['CONNECT']));
    const moveIn = joinCommand(ALICE, t(20), { channelId: SMALL, revolt: noConnect, movedBy: MOD, carried: { video: true, screenShare: false }, sessionId: SESSION2 });
    given(voiceChannelDecider).when(moveIn).then((events) => {
      expect(events[1]).toMatchObject({ type: 'VoiceParticipantJoined', data: { userId: ALICE, movedBy: MOD, video: true } });
    });
    given(voiceChannelDecider).when({ ...moveIn, movedBy: ALICE }).thenFails(403, 'forbidden');
    given(voiceChannelDecider, joins([BOB, CAROL], SMALL)).when(moveIn).thenFails(422, 'voice_channel_full');
    const hidden = revoltAfter(overwrite(SMALL, ALICE, ['VIEW_CHANNEL']));
    given(voiceChannelDecider).when({ ...moveIn, revolt: hidden }).thenFails(422, 'member_cannot_view_channel');
    // Moved in without CONNECT, they stay: a sweep leaves them be, and they may mute themselves.
    const movedIn = voiceChannelDecider.decide(moveIn, voiceChannelDecider.initialState);
    given(voiceChannelDecider, movedIn).when({ type: 'SweepVoice', channelId: SMALL, revolt: noConnect, at: t(30) }).then([]);
    given(voiceChannelDecider, movedIn).when({ ...selfUpdate(ALICE, { selfMute: true }, noConnect), channelId: SMALL }).then((events) => expect(events).toHaveLength(1));
  });

  it('disconnecting needs MOVE_MEMBERS and outranking the member', () => {
    const disconnect = (actorId: string, userId: string): VoiceChannelCommand => ({ type: 'DisconnectVoiceMember', channelId: VOICE, actorId, userId, revolt: baseRevolt, at: t(30) });
    given(voiceChannelDecider, history).when(disconnect(MOD, ALICE)).then((events) => {
      expect(events).toEqual([expect.objectContaining({ type: 'VoiceParticipantLeft', data: expect.objectContaining({ userId: ALICE, reason: 'disconnected', by: MOD }) })]);
    });
    given(voiceChannelDecider, history).when(disconnect(ALICE, MOD)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(disconnect(MOD, HELPER)).thenFails(403, 'forbidden');
    given(voiceChannelDecider, history).when(disconnect(OWNER, HELPER)).then((events) => expect(events).toHaveLength(1));
    given(voiceChannelDecider, history).when(disconnect(MOD, BOB)).thenFails(404, 'not_found');
  });
});

describe('sweeping those who lost access', () => {
  const history = joins([ALICE, BOB]);
  const sweep = (revolt: RevoltState): VoiceChannelCommand => ({ type: 'SweepVoice', channelId: VOICE, revolt, at: t(50) });

  it('removes a kicked, banned or departed member, and one who lost CONNECT; leaves the others', () => {
    for (const gone of [
      { type: 'MemberKicked', data: { revoltId: R, userId: ALICE, by: OWNER, at: t0 } },
      { type: 'MemberBanned', data: { revoltId: R, userId: ALICE, by: OWNER, wasMember: true, at: t0 } },
      { type: 'MemberLeft', data: { revoltId: R, userId: ALICE, at: t0 } },
      overwrite(VOICE, ALICE, ['CONNECT']),
    ] as RevoltEvent[]) {
      given(voiceChannelDecider, history).when(sweep(revoltAfter(gone))).then((events) => {
        expect(events.map((e) => [e.type, e.data])).toEqual([['VoiceParticipantLeft', expect.objectContaining({ userId: ALICE, reason: 'removed', durationMs: 50_000 })]]);
      });
    }
    given(voiceChannelDecider, history).when(sweep(baseRevolt)).then([]);
  });

  it('a deleted channel or revolt empties the channel and ends its session once', () => {
    for (const gone of [
      { type: 'ChannelDeleted', data: { revoltId: R, channelId: VOICE, at: t0 } },
      { type: 'RevoltDeleted', data: { revoltId: R, deletedBy: OWNER, deletedAt: t0 } },
    ] as RevoltEvent[]) {
      given(voiceChannelDecider, history).when(sweep(revoltAfter(gone))).then((events) => {
        expect(events.map((e) => e.type)).toEqual(['VoiceParticipantLeft', 'VoiceParticipantLeft', 'VoiceSessionEnded']);
      });
    }
  });
});

describe("a user's voice stream: one channel at a time, standing moderation", () => {
  const claim = (channelId: string) => ({ type: 'ClaimVoiceChannel', userId: ALICE, revoltId: R, channelId, at: t0 }) as const;
  const release = (channelId: string) => ({ type: 'ReleaseVoiceChannel', userId: ALICE, channelId, at: t(1) }) as const;

  it('claims a channel, moves the claim (naming the previous one), releases only the channel claimed', () => {
    given(voiceUserDecider).when(claim(VOICE)).then([{ type: 'VoiceChannelClaimed', data: { userId: ALICE, revoltId: R, channelId: VOICE, at: t0 } }]);
    const inVoice = voiceUserDecider.decide(claim(VOICE), voiceUserDecider.initialState);
    given(voiceUserDecider, inVoice).when(claim(VOICE)).then([]);
    given(voiceUserDecider, inVoice).when(claim(SMALL)).then([
      { type: 'VoiceChannelClaimed', data: { userId: ALICE, revoltId: R, channelId: SMALL, previousChannelId: VOICE, at: t0 } },
    ]);
    given(voiceUserDecider, inVoice).when(release(SMALL)).then([]);
    given(voiceUserDecider, inVoice).when(release(VOICE)).then([{ type: 'VoiceChannelReleased', data: { userId: ALICE, revoltId: R, channelId: VOICE, at: t(1) } }]);
    given(voiceUserDecider).when(release(VOICE)).then([]);
  });

  it('keeps the server mute and deafen per revolt; the same again changes nothing', () => {
    const set = { type: 'SetVoiceModeration', userId: ALICE, revoltId: R, by: MOD, serverMute: true, at: t0 } as const;
    given(voiceUserDecider).when(set).then([{ type: 'VoiceModerationSet', data: { userId: ALICE, revoltId: R, serverMute: true, serverDeaf: false, by: MOD, at: t0 } }]);
    const muted = voiceUserDecider.decide(set, voiceUserDecider.initialState);
    given(voiceUserDecider, muted).when(set).then([]);
    expect(given(voiceUserDecider, muted).state.moderation.get(R)).toEqual({ serverMute: true, serverDeaf: false });
  });
});
