import { ObjectId, type Collection, type Document } from 'mongodb';
import type { VoiceChannelEvent } from '../../commands/voice/events.ts';
import { flagView } from '../../commands/voice/rules.ts';
import { isMuted } from '../../commands/voice/state.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { groupBy, inRuns } from '../batching.ts';
import { insertOnce, rewriteGuarded, rewriteWithEvents } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';

type SessionEvent = RecordedEvent & Exclude<VoiceChannelEvent, { type: 'VoiceSessionStarted' }>;

const SESSION_EVENTS = new Set(['VoiceParticipantJoined', 'VoiceParticipantLeft', 'VoiceStateChanged', 'VoiceSpeakingChanged', 'VoiceStreamSet', 'VoiceSessionEnded']);
const isSessionEvent = (event: RecordedEvent): event is SessionEvent => SESSION_EVENTS.has(event.type);

/** The participant's open row (the one without leftAt). */
const openRow = (session: Document, userId: string): Document | undefined =>
  (session.participants as Document[]).find((p) => p.leftAt === undefined && (p.userId as ObjectId).toHexString() === userId);

/** The stream of the seed's `streamId`: the microphone's, else the camera's, else the screen's. */
const mainStream = (streams: Document) => streams.audio ?? streams.video ?? streams.screen;

/** Applies one event of a session to its document (read-modify-write: FerretDB has no positional updates). */
function mutate(session: Document, event: SessionEvent): void {
  if (event.type === 'VoiceSessionEnded') {
    session.isActive = false;
    session.endedAt = new Date(event.data.endedAt);
    return;
  }
  if (event.type === 'VoiceParticipantJoined') {
    const j = event.data;
    (session.participants as Document[]).push({
      userId: new ObjectId(j.userId),
      username: j.username,
      ...flagView(j),
      isSpeaking: false,
      joinedAt: new Date(j.joinedAt),
      streams: {},
    });
    return;
  }
  const row = openRow(session, event.data.userId);
  if (!row) return;
  switch (event.type) {
    case 'VoiceParticipantLeft':
      row.leftAt = new Date(event.data.leftAt);
      row.isSpeaking = false;
      return;
    case 'VoiceStateChanged': {
      const s = event.data;
      Object.assign(row, flagView(s));
      if (isMuted(s)) row.isSpeaking = false;
      if (!s.video) delete row.streams.video;
      if (!s.screenShare) delete row.streams.screen;
      break;
    }
    case 'VoiceSpeakingChanged':
      row.isSpeaking = event.data.speaking;
      return;
    case 'VoiceStreamSet':
      if (event.data.streamId === null) delete row.streams[event.data.kind];
      else row.streams[event.data.kind] = event.data.streamId;
      break;
  }
  const stream = mainStream(row.streams);
  if (stream === undefined) delete row.streamId;
  else row.streamId = stream;
}

/** One read and one write per session for a run of session events. */
async function applyRun(sessions: Collection, run: SessionEvent[]): Promise<void> {
  for (const [sessionId, events] of groupBy(run, (e) => e.data.sessionId)) {
    await rewriteWithEvents(sessions, { id: sessionId }, events, mutate);
  }
}

/**
 * The seed's `voiceSessions` collection: one document per session (`_id` its ObjectId, `id` its hex), written
 * from the voice channels' streams. A participant who leaves keeps their row with `leftAt`; one who comes back
 * in the same session gets a new row, so every row is one stretch of time (its joinedAt–leftAt adds up to the
 * user's `stats.voiceTime`). Beyond the seed's fields each row has `streams` ({audio, video, screen}: the media
 * layer's producer ids); `streamId` is the microphone's (else the camera's, else the screen's). Every write is
 * guarded by the event's position.
 */
export const voiceSessionsReadModel: ReadModel = {
  name: 'voiceSessions',
  collections: [
    {
      name: 'voiceSessions',
      indexes: [
        { key: { id: 1 }, options: { unique: true } },
        { key: { revoltId: 1 } },
        { key: { channelId: 1 } },
        { key: { isActive: 1 } },
        { key: { 'participants.userId': 1 } },
        { key: { startedAt: -1 } },
      ],
    },
  ],
  async applyBatch(events, ctx) {
    await inRuns(events, isSessionEvent, (event) => this.apply(event, ctx), (run) => applyRun(ctx.collection('voiceSessions'), run));
  },
  async apply(recorded, ctx) {
    const sessions = ctx.collection('voiceSessions');
    const event = asDomainEvent(recorded);
    if (event.type === 'VoiceSessionStarted') {
      const d = event.data;
      await insertOnce(
        sessions,
        {
          _id: new ObjectId(d.sessionId),
          id: d.sessionId,
          revoltId: new ObjectId(d.revoltId),
          channelId: new ObjectId(d.channelId),
          participants: [],
          settings: d.settings,
          startedAt: new Date(d.startedAt),
          isActive: true,
        },
        event.position,
      );
      return;
    }
    if (isSessionEvent(event)) await rewriteGuarded(sessions, { id: event.data.sessionId }, event.position, (doc) => mutate(doc, event));
  },
};
