import { ObjectId, type Document } from 'mongodb';
import { describe, it } from 'vitest';
import { voiceSessionsReadModel } from '../../../src/projections/voice/read-model.ts';
import { date, eventOf, hexId, ids, onSession, time, voiceJoined, voiceLeft, voiceStateChanged } from '../fixtures.ts';
import { readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(voiceSessionsReadModel);

const settings = { maxParticipants: 25, bitrate: 64_000, sampleRate: 48_000, region: 'eu-west', echoCancellation: true, noiseSuppression: true, autoGainControl: true };

const started = eventOf('VoiceSessionStarted', (p) => ({ ...onSession, settings, startedAt: time(p) }));
const speaking = eventOf('VoiceSpeakingChanged', (p) => ({ ...onSession, userId: ids.ada, speaking: true, at: time(p) }));
const streamSet = eventOf('VoiceStreamSet', (p) => ({ ...onSession, userId: ids.ada, kind: 'audio', streamId: `stream-${p}`, at: time(p) }));
const ended = eventOf('VoiceSessionEnded', (p) => ({ ...onSession, startedAt: time(1), endedAt: time(p), durationMs: (p - 1) * 60_000 }));

const bobJoined = (position: number, data: Parameters<typeof voiceJoined>[1] = {}) => voiceJoined(position, { userId: ids.bob, username: 'bob', ...data });

/** The document of the session `started(1)` starts, with `changes` laid over it. */
const session = (changes: Document = {}) => ({
  _id: new ObjectId(ids.session),
  id: ids.session,
  revoltId: new ObjectId(ids.revolt),
  channelId: new ObjectId(ids.lounge),
  participants: [],
  settings,
  startedAt: date(1),
  isActive: true,
  _pos: 1,
  ...changes,
});

const participant = (who: 'ada' | 'bob', joinedAt: number, changes: Document = {}) => ({
  userId: new ObjectId(ids[who]),
  username: who,
  isMuted: false,
  isDeafened: false,
  isVideoEnabled: false,
  isScreenSharing: false,
  isSpeaking: false,
  joinedAt: date(joinedAt),
  streams: {},
  ...changes,
});

describe('voiceSessions read model', () => {
  it('VoiceSessionStarted creates an active session without participants', () =>
    given()
      .when([started(1)])
      .then([session()]));

  it('VoiceParticipantJoined adds a row with the flags others see', () =>
    given([started(1)])
      .when([voiceJoined(2, { video: true }), bobJoined(3, { selfDeaf: true, screenShare: true })])
      .then([
        session({
          participants: [participant('ada', 2, { isVideoEnabled: true }), participant('bob', 3, { isMuted: true, isDeafened: true, isScreenSharing: true })],
          _pos: 3,
        }),
      ]));

  it("streams, speaking and flags: streamId is the microphone's, else the camera's, else the screen's; muting stops speaking, turning video off drops its stream", () =>
    given([started(1), voiceJoined(2, { video: true })])
      .when([
        streamSet(3, { kind: 'video' }),
        streamSet(4),
        speaking(5),
        voiceStateChanged(6, { selfMute: true }),
        streamSet(7, { kind: 'screen' }),
        streamSet(8, { streamId: null }),
      ])
      .then([session({ participants: [participant('ada', 2, { isMuted: true, streams: { screen: 'stream-7' }, streamId: 'stream-7' })], _pos: 8 })]));

  it('leaving closes the row; coming back opens a new one, which later events change; VoiceSessionEnded ends the session', () =>
    given([started(1), voiceJoined(2), bobJoined(3), speaking(4)])
      .when([voiceLeft(5, { joinedAt: time(2), durationMs: 3 * 60_000 }), voiceJoined(6), speaking(7), voiceLeft(8, { userId: ids.bob, joinedAt: time(3), durationMs: 5 * 60_000 }), ended(9)])
      .then([
        session({
          participants: [
            participant('ada', 2, { leftAt: date(5) }),
            participant('bob', 3, { leftAt: date(8) }),
            participant('ada', 6, { isSpeaking: true }),
          ],
          isActive: false,
          endedAt: date(9),
          _pos: 9,
        }),
      ]));

  it('a run of session events over two sessions, of which a part was applied already, applies each event once', () => {
    const other = { sessionId: hexId(0x31), channelId: hexId(0x23) };
    return given([started(1), started(2, other), voiceJoined(3), speaking(4)])
      .when([voiceJoined(3), speaking(4), bobJoined(5, other), streamSet(6), speaking(7, { ...other, userId: ids.bob }), speaking(8, { speaking: false })])
      .then([
        session({ participants: [participant('ada', 3, { streams: { audio: 'stream-6' }, streamId: 'stream-6' })], _pos: 8 }),
        session({
          _id: new ObjectId(other.sessionId),
          id: other.sessionId,
          channelId: new ObjectId(other.channelId),
          participants: [participant('bob', 5, { isSpeaking: true })],
          startedAt: date(2),
          _pos: 7,
        }),
      ]);
  });

  it('a redelivered history changes nothing', () => {
    const history = [started(1), voiceJoined(2), streamSet(3), speaking(4), voiceLeft(5, { joinedAt: time(2), durationMs: 3 * 60_000 }), voiceJoined(6), ended(7)];
    return given(history)
      .when(history)
      .then([
        session({
          participants: [participant('ada', 2, { leftAt: date(5), streams: { audio: 'stream-3' }, streamId: 'stream-3' }), participant('ada', 6)],
          isActive: false,
          endedAt: date(7),
          _pos: 7,
        }),
      ]);
  });

  it('events older than the session, arriving late and out of order, change nothing', () =>
    given([started(1), voiceJoined(2), speaking(6)])
      .when([streamSet(5), voiceStateChanged(4, { selfMute: true }), bobJoined(3)])
      .then([session({ participants: [participant('ada', 2, { isSpeaking: true })], _pos: 6 })]));
});
