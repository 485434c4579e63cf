import { ObjectId, type Collection, type Document } from 'mongodb';
import type { VoiceEventOf, VoiceFlags } from '../../commands/voice/events.ts';
import { flagView } from '../../commands/voice/rules.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { rewriteGuarded } from '../engine/guard.ts';

export type UserVoiceEvent = RecordedEvent & VoiceEventOf<'VoiceParticipantJoined' | 'VoiceParticipantLeft' | 'VoiceStateChanged'>;

/**
 * Minutes (the seed's unit) with millisecond precision, added in whole milliseconds so that sums stay exact (no
 * float drift): the running total, times 60 000, rounds back to the exact integer number of milliseconds.
 */
const addMs = (minutes: number, ms: number) => (Math.round(minutes * 60_000) + ms) / 60_000;

function flags(f: VoiceFlags): Document {
  return {
    selfMute: f.selfMute,
    selfDeaf: f.selfDeaf,
    serverMute: f.serverMute,
    serverDeaf: f.serverDeaf,
    ...flagView(f),
  };
}

/**
 * A user's `voiceState` (private to them, like their memberships): where they are, `{revoltId, channelId,
 * sessionId, selfMute, selfDeaf, serverMute, serverDeaf, isMuted, isDeafened, isVideoEnabled, isScreenSharing,
 * joinedAt}`, absent when in no voice channel. `stats.voiceTime` and `stats.screenShareTime` (and each
 * membership's `voiceTime`) are minutes, with millisecond precision, added from the durations the events carry:
 * a stay counts when it ends, a screen share when it stops (or its sharer leaves). Guarded by position, so a
 * replay or redelivery adds nothing twice.
 */
export async function applyVoiceToUser(users: Collection, event: UserVoiceEvent): Promise<void> {
  const d = event.data;
  await rewriteGuarded(users, { id: d.userId }, event.position, (user) => {
    switch (event.type) {
      case 'VoiceParticipantJoined':
        user.voiceState = {
          revoltId: new ObjectId(d.revoltId),
          channelId: new ObjectId(d.channelId),
          sessionId: d.sessionId,
          ...flags(event.data),
          joinedAt: new Date(event.data.joinedAt),
        };
        return;
      case 'VoiceStateChanged':
        if (user.voiceState?.sessionId === d.sessionId) Object.assign(user.voiceState, flags(event.data));
        if (event.data.screenShareMs) user.stats.screenShareTime = addMs(user.stats.screenShareTime, event.data.screenShareMs);
        return;
      case 'VoiceParticipantLeft': {
        const { durationMs, screenShareMs } = event.data;
        if (user.voiceState?.sessionId === d.sessionId) delete user.voiceState;
        user.stats.voiceTime = addMs(user.stats.voiceTime, durationMs);
        if (screenShareMs) user.stats.screenShareTime = addMs(user.stats.screenShareTime, screenShareMs);
        const membership = (user.revoltMemberships as Document[]).find((m) => (m.revoltId as ObjectId).toHexString() === d.revoltId);
        if (membership) membership.voiceTime = addMs(membership.voiceTime ?? 0, durationMs);
        return;
      }
    }
  });
}
