import type { StreamKind, VoiceChannelEvent, VoiceFlags, VoiceSettings, VoiceUserEvent } from './events.ts';

export interface VoiceParticipantState extends VoiceFlags {
  userId: string;
  username: string;
  speaking: boolean;
  joinedAt: string;
  /** Set when a moderator moved them in: they stay without CONNECT (as in Discord). */
  movedBy?: string;
  /** When the current screen share started; absent when not sharing. */
  screenShareSince?: string;
  streams: Partial<Record<StreamKind, string>>;
}

export interface VoiceSessionState {
  sessionId: string;
  startedAt: string;
  settings: VoiceSettings;
  /** Current participants, in join order (Map keeps insertion order). */
  participants: ReadonlyMap<string, VoiceParticipantState>;
}

/** A voice channel's stream: the revolt it belongs to (known once a session has started) and the live session. */
export interface VoiceChannelState {
  channelId: string;
  revoltId: string;
  session: VoiceSessionState | null;
}

export const initialVoiceChannelState: VoiceChannelState = { channelId: '', revoltId: '', session: null };

const STREAM_OF_FLAG = { video: 'video', screenShare: 'screen' } as const;

/** Copy-on-write, like every state the handler caches. */
export function evolveVoiceChannel(state: VoiceChannelState, event: VoiceChannelEvent): VoiceChannelState {
  const d = event.data;
  switch (event.type) {
    case 'VoiceSessionStarted': {
      const { sessionId, startedAt, settings } = event.data;
      return { channelId: d.channelId, revoltId: d.revoltId, session: { sessionId, startedAt, settings, participants: new Map() } };
    }
    case 'VoiceSessionEnded':
      return { ...state, session: null };
    case 'VoiceParticipantJoined': {
      const { sessionId: _s, revoltId: _r, channelId: _c, movedBy, ...joined } = event.data;
      const participant: VoiceParticipantState = {
        ...joined,
        speaking: false,
        ...(movedBy !== undefined && { movedBy }),
        ...(joined.screenShare && { screenShareSince: joined.joinedAt }),
        streams: {},
      };
      return withParticipant(state, event.data.userId, () => participant, true);
    }
    case 'VoiceParticipantLeft': {
      if (!state.session) return state;
      const participants = new Map(state.session.participants);
      participants.delete(event.data.userId);
      return { ...state, session: { ...state.session, participants } };
    }
    case 'VoiceStateChanged': {
      const { sessionId: _s, revoltId: _r, channelId: _c, userId, by: _b, screenShareMs: _m, at, ...flags } = event.data;
      return withParticipant(state, userId, (p) => {
        const next: VoiceParticipantState = { ...p, ...flags, streams: { ...p.streams } };
        for (const flag of ['video', 'screenShare'] as const) if (!flags[flag]) delete next.streams[STREAM_OF_FLAG[flag]];
        if (isMuted(next)) next.speaking = false;
        if (flags.screenShare && !p.screenShare) next.screenShareSince = at;
        if (!flags.screenShare) delete next.screenShareSince;
        return next;
      });
    }
    case 'VoiceSpeakingChanged':
      return withParticipant(state, event.data.userId, (p) => ({ ...p, speaking: event.data.speaking }));
    case 'VoiceStreamSet': {
      const { kind, streamId } = event.data;
      return withParticipant(state, event.data.userId, (p) => {
        const streams = { ...p.streams };
        if (streamId === null) delete streams[kind];
        else streams[kind] = streamId;
        return { ...p, streams };
      });
    }
  }
}

function withParticipant(
  state: VoiceChannelState,
  userId: string,
  change: (p: VoiceParticipantState) => VoiceParticipantState,
  create = false,
): VoiceChannelState {
  const session = state.session;
  const current = session?.participants.get(userId);
  if (!session || (!current && !create)) return state;
  const participants = new Map(session.participants).set(userId, change(current as VoiceParticipantState));
  return { ...state, session: { ...session, participants } };
}

/** Deafening implies mute; server flags count like self ones. */
export const isMuted = (f: VoiceFlags) => f.selfMute || f.selfDeaf || f.serverMute || f.serverDeaf;
export const isDeafened = (f: VoiceFlags) => f.selfDeaf || f.serverDeaf;

/** A user's voice stream: the channel they are in, if any, and their standing server mute/deafen per revolt. */
export interface VoiceUserState {
  channelId: string | null;
  revoltId: string | null;
  /** When their stay in that channel began (null for claims recorded without it). */
  joinedAt: string | null;
  moderation: ReadonlyMap<string, { serverMute: boolean; serverDeaf: boolean }>;
}

export const initialVoiceUserState: VoiceUserState = { channelId: null, revoltId: null, joinedAt: null, moderation: new Map() };

export function evolveVoiceUser(state: VoiceUserState, event: VoiceUserEvent): VoiceUserState {
  switch (event.type) {
    case 'VoiceChannelClaimed':
      return { ...state, channelId: event.data.channelId, revoltId: event.data.revoltId, joinedAt: event.data.joinedAt ?? null };
    case 'VoiceChannelReleased':
      return { ...state, channelId: null, revoltId: null, joinedAt: null };
    case 'VoiceModerationSet': {
      const { revoltId, serverMute, serverDeaf } = event.data;
      return { ...state, moderation: new Map(state.moderation).set(revoltId, { serverMute, serverDeaf }) };
    }
  }
}
