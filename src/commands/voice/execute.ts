/**
 * The voice execution service: what the gateway's signalling layer (and the HTTP routes) call. Every method runs
 * commands through the command handler, so each change is an event with the usual metadata; every error is an
 * AppError from src/commands/errors.ts (the gateway maps `status`/`code` to its error frames).
 *
 *   const voice = voiceCommands(services);   // shared per dependencies object (createVoiceCommands makes a new one)
 *   await voice.join(userId, channelId, { selfMute: false })   → VoiceJoinResult (session, settings, participants)
 *   await voice.leave(userId)                                   → VoiceLeaveResult (no-op when not connected)
 *   await voice.leaveEverywhere(userId)                         → same, reason `connection_lost`: call on socket close
 *   await voice.updateSelf(userId, { selfMute, selfDeaf, video, screenShare })  → VoiceStateResult
 *   await voice.setSpeaking(userId, channelId, true)            → media layer (system actor); no-op when unchanged
 *   await voice.setStream(userId, channelId, 'video', producerId | null)        → media layer (system actor)
 *   await voice.serverMute(actorId, userId, true) · serverDeafen(...)           → moderators
 *   await voice.move(actorId, userId, toChannelId) · disconnect(actorId, userId) → moderators
 *   await voice.currentChannel(userId)                          → { channelId, revoltId, sessionId } | null
 *   await voice.channel(channelId)                              → the channel's live session from the store, or null
 *
 * Use the shared `voiceCommands(services)` where possible: its per-user queue then orders HTTP and gateway calls
 * for one user too. setSpeaking/setStream answer 404 for someone not (or no longer) in that channel. Whoever a
 * revolt change leaves without access is removed by the voice-access reactor (src/reactors/voice-access.ts).
 *
 * Error codes: 404 `not_found` (channel/revolt unknown or not visible, target not in that channel), 403
 * `forbidden` (`details.missing` names the permissions: CONNECT, SPEAK, VIDEO, STREAM, MUTE_MEMBERS,
 * DEAFEN_MEMBERS, MOVE_MEMBERS; or the role hierarchy), 403 `feature_locked` (the camera or screen share before
 * the letter of the course that unlocks it, `details.letterId`), 403 `voice_access_lost` (the user may no longer be in
 * their channel: they have been removed from it), 422 `not_a_voice_channel`, `voice_channel_full`,
 * `not_in_voice`, `video_not_enabled`, `screen_share_not_enabled`, 409 `concurrency_conflict`.
 *
 * Streams (see decide.ts): a channel's sessions live on `voice-channel-<channelId>`; the one-channel-per-user
 * rule on `voice-user-<userId>`. A join or a move is decided once, by the channel let into, and the rest follows
 * from its events with nothing to roll back (settle.ts): the claim on the user's stream, then the end of the stay
 * it replaced (`switched`, or `moved` by the moderator). Calls on one user are serialised within the process; the
 * voice-joins reactor completes what a crash interrupted.
 */
import { newId } from '../../events/ids.ts';
import { AppError, notFound, ruleBroken } from '../errors.ts';
import type { CommandContext, CommandHandler, CommandResult } from '../handler.ts';
import { keyedQueue } from '../keyed-queue.ts';
import type { FeatureLookup } from '../progress/access.ts';
import { idFor } from '../request-ids.ts';
import { revoltOfChannel, type ChannelDirectory } from '../revolts/channel-directory.ts';
import type { RevoltState } from '../revolts/state.ts';
import { verificationApplies } from '../revolts/verification-level.ts';
import { accountStanding } from '../users/standing.ts';
import type { VoiceSelfPatch } from './commands.ts';
import type { StreamKind } from './events.ts';
import { channelSettingsView, participantView, type VoiceChannelSettingsView, type VoiceParticipantView } from './rules.ts';
import { settleJoin, type Stay } from './settle.ts';
import type { VoiceChannelState } from './state.ts';
import { lastPosition, loadChannel, loadRevolt, loadUser, now, onChannel, onUser, release, whereIs, type Steps } from './steps.ts';
import { sweepChannel } from './sweep.ts';

export type { VoiceSelfPatch } from './commands.ts';
export type { StreamKind } from './events.ts';
export type { VoiceChannelSettingsView, VoiceParticipantView } from './rules.ts';

/** The actor id recorded on events the media layer causes (speaking, stream ids). */
export const VOICE_SYSTEM_ACTOR = 'voice';

export interface VoiceCallOptions {
  /** Correlation/causation of the request (e.g. the gateway frame), defaults generated; the ids of a keyed HTTP request. */
  context?: Pick<Partial<CommandContext>, 'correlationId' | 'causationId' | 'ids'>;
}

export interface JoinOptions extends VoiceCallOptions {
  selfMute?: boolean;
  selfDeaf?: boolean;
}

/** The channel the participant is expected in (the HTTP route's :channelId); default: wherever they are. */
export interface InChannelOptions extends VoiceCallOptions {
  channelId?: string;
}

/** A channel's live session as the event store has it (read-your-writes for the caller, unlike the read model). */
export interface VoiceChannelView {
  sessionId: string;
  revoltId: string;
  channelId: string;
  startedAt: string;
  participants: VoiceParticipantView[];
}

export interface VoiceJoinResult extends VoiceChannelView {
  /** The channel's current voice settings: what the media layer sets the room up with. */
  settings: VoiceChannelSettingsView;
  /** Global position of the last event appended (X-Event-Position); null when the user was already there. */
  position: number | null;
}

export interface VoiceLeaveResult {
  /** The channel left, or null when the user was in none. */
  channelId: string | null;
  sessionId: string | null;
  /** Whether that was the last participant, so the session ended (the media layer may close the room). */
  sessionEnded: boolean;
  position: number | null;
}

export interface VoiceStateResult {
  channelId: string;
  sessionId: string;
  participant: VoiceParticipantView;
  /** null when nothing changed. */
  position: number | null;
}

export interface VoiceMoveResult {
  fromChannelId: string;
  toChannelId: string;
  sessionId: string;
  participant: VoiceParticipantView;
  position: number | null;
}

export interface VoiceCommands {
  join(actorId: string, channelId: string, options?: JoinOptions): Promise<VoiceJoinResult>;
  leave(actorId: string, options?: VoiceCallOptions): Promise<VoiceLeaveResult>;
  leaveEverywhere(userId: string, options?: VoiceCallOptions): Promise<VoiceLeaveResult>;
  updateSelf(actorId: string, patch: VoiceSelfPatch, options?: InChannelOptions): Promise<VoiceStateResult>;
  setSpeaking(userId: string, channelId: string, speaking: boolean, options?: VoiceCallOptions): Promise<{ changed: boolean; position: number | null }>;
  setStream(
    userId: string,
    channelId: string,
    kind: StreamKind,
    streamId: string | null,
    options?: VoiceCallOptions,
  ): Promise<{ changed: boolean; position: number | null }>;
  serverMute(actorId: string, userId: string, value: boolean, options?: InChannelOptions): Promise<VoiceStateResult>;
  serverDeafen(actorId: string, userId: string, value: boolean, options?: InChannelOptions): Promise<VoiceStateResult>;
  move(actorId: string, userId: string, toChannelId: string, options?: InChannelOptions): Promise<VoiceMoveResult>;
  disconnect(actorId: string, userId: string, options?: InChannelOptions): Promise<VoiceLeaveResult>;
  currentChannel(userId: string): Promise<{ channelId: string; revoltId: string; sessionId: string } | null>;
  channel(channelId: string): Promise<VoiceChannelView | null>;
}

function viewOf(state: VoiceChannelState): VoiceChannelView | null {
  const session = state.session;
  if (!session) return null;
  return {
    sessionId: session.sessionId,
    revoltId: state.revoltId,
    channelId: state.channelId,
    startedAt: session.startedAt,
    participants: [...session.participants.values()].map(participantView),
  };
}

/** What the service runs on: the command handler, the channel directory that finds a channel's revolt, the feature lookup. */
export interface VoiceDependencies {
  commands: CommandHandler;
  channelDirectory: ChannelDirectory;
  /** The course and a user's completed letters: the camera and screen share are features a letter can unlock. */
  features: FeatureLookup;
}

const instances = new WeakMap<VoiceDependencies, VoiceCommands>();

/** The one service of a dependencies object (HTTP routes, revolt commands and the gateway share its per-user queue). */
export function voiceCommands(dependencies: VoiceDependencies): VoiceCommands {
  let instance = instances.get(dependencies);
  if (!instance) {
    instance = createVoiceCommands(dependencies);
    instances.set(dependencies, instance);
  }
  return instance;
}

export function createVoiceCommands(dependencies: VoiceDependencies): VoiceCommands {
  const { commands } = dependencies;
  /** Multi-stream operations on one user run one at a time within the process. */
  const serialised = keyedQueue();

  function contextOf(actorId: string | null, options: VoiceCallOptions | undefined): CommandContext {
    const id = `voice-${newId()}`;
    const ids = options?.context?.ids;
    return { actorId, correlationId: options?.context?.correlationId ?? id, causationId: options?.context?.causationId ?? id, ...(ids && { ids }) };
  }

  /** The steps of one call, all in its context. */
  const stepsIn = (context: CommandContext): Steps => ({
    run: (streamId, decider, command) => commands.execute(streamId, decider, command, context),
    load: (streamId, decider) => commands.load(streamId, decider),
  });
  const reads = stepsIn(contextOf(null, undefined));

  /** The revolt of a channel: from the voice stream when a session runs (it survives the channel's deletion), else the directory. */
  async function revoltOfVoiceChannel(channelId: string, state?: VoiceChannelState): Promise<RevoltState> {
    return loadRevolt(reads, state?.revoltId || (await revoltOfChannel(dependencies.channelDirectory, channelId)));
  }

  /** The channel a moderator acts on `userId` in: the one given (the HTTP route's), else wherever they are (404 if none). */
  async function moderatedChannel(userId: string, channelId: string | undefined): Promise<{ channelId: string; state: VoiceChannelState }> {
    const where = channelId !== undefined ? { channelId, state: await loadChannel(reads, channelId) } : await whereIs(reads, userId);
    if (!where) throw notFound('voice participant');
    return where;
  }

  function stateResult(result: CommandResult<VoiceChannelState>, userId: string, position: number | null): VoiceStateResult {
    const session = result.state.session;
    const participant = session?.participants.get(userId);
    if (!session || !participant) throw notFound('voice participant');
    return { channelId: result.state.channelId, sessionId: session.sessionId, participant: participantView(participant), position };
  }

  /** The stay a JoinVoice left the user in (a new one, or the one they were in already). */
  function stayAfter(joined: CommandResult<VoiceChannelState>, userId: string): Stay {
    const participant = joined.state.session?.participants.get(userId);
    if (!participant) throw new Error('JoinVoice left the user outside the channel');
    const { revoltId, channelId } = joined.state;
    return { userId, revoltId, channelId, joinedAt: participant.joinedAt, ...(participant.movedBy !== undefined && { movedBy: participant.movedBy }) };
  }

  /** Leaves whatever channel the user is in (their own doing); a no-op when they are in none. */
  async function leaveAs(userId: string, reason: 'left' | 'connection_lost', context: CommandContext): Promise<VoiceLeaveResult> {
    const steps = stepsIn(context);
    const { channelId } = await loadUser(steps, userId);
    if (!channelId) return { channelId: null, sessionId: null, sessionEnded: false, position: null };
    const left = await onChannel(steps, { type: 'LeaveVoice', channelId, userId, reason, at: now() });
    return leaveResult(channelId, left, await release(steps, userId, channelId));
  }

  function leaveResult(channelId: string, left: CommandResult<VoiceChannelState>, released: CommandResult<unknown>): VoiceLeaveResult {
    const leftEvent = left.events.find((e) => e.type === 'VoiceParticipantLeft');
    return {
      channelId: leftEvent ? channelId : null,
      sessionId: leftEvent ? (leftEvent.data as { sessionId: string }).sessionId : null,
      sessionEnded: left.events.some((e) => e.type === 'VoiceSessionEnded'),
      position: lastPosition(left, released),
    };
  }

  async function moderate(type: 'ServerMute' | 'ServerDeafen', actorId: string, userId: string, value: boolean, options: InChannelOptions = {}) {
    const steps = stepsIn(contextOf(actorId, options));
    const { channelId, state } = await moderatedChannel(userId, options.channelId);
    if (!state.session?.participants.has(userId)) throw notFound('voice participant');
    const revolt = await revoltOfVoiceChannel(channelId, state);
    const result = await onChannel(steps, { type, channelId, actorId, userId, value, revolt, at: now() });
    const participant = result.state.session?.participants.get(userId);
    let persisted: CommandResult<unknown> | null = null;
    if (participant) {
      const { serverMute, serverDeaf } = participant;
      persisted = await onUser(steps, { type: 'SetVoiceModeration', userId, revoltId: state.revoltId, by: actorId, serverMute, serverDeaf, at: now() });
    }
    return stateResult(result, userId, lastPosition(result, persisted));
  }

  const service: VoiceCommands = {
    /** Decided by the channel (JoinVoice); then claimed, and the channel the user was in left (settle.ts). */
    join(actorId, channelId, options = {}) {
      return serialised(actorId, async () => {
        const context = contextOf(actorId, options);
        const steps = stepsIn(context);
        const revolt = await revoltOfVoiceChannel(channelId);
        const standing = (await loadUser(steps, actorId)).moderation.get(revolt.revoltId);
        const account = verificationApplies(revolt, actorId) ? await accountStanding(steps, actorId) : undefined;
        const joined = await onChannel(steps, {
          type: 'JoinVoice',
          channelId,
          userId: actorId,
          revolt,
          sessionId: idFor(context),
          selfMute: options.selfMute ?? false,
          selfDeaf: options.selfDeaf ?? false,
          serverMute: standing?.serverMute ?? false,
          serverDeaf: standing?.serverDeaf ?? false,
          ...(account && { account }),
          at: now(),
        });
        const settled = await settleJoin(steps, stayAfter(joined, actorId));
        const view = viewOf(joined.state);
        const channel = revolt.channels.get(channelId);
        if (!view || !channel) throw notFound('channel');
        return { ...view, settings: channelSettingsView(revolt, channel), position: lastPosition(joined, ...settled) };
      });
    },

    leave(actorId, options) {
      return serialised(actorId, () => leaveAs(actorId, 'left', contextOf(actorId, options)));
    },

    leaveEverywhere(userId, options) {
      return serialised(userId, () => leaveAs(userId, 'connection_lost', contextOf(userId, options)));
    },

    updateSelf(actorId, patch, options) {
      return serialised(actorId, async () => {
        const expected = options?.channelId;
        const where = await whereIs(reads, actorId);
        if (!where || (expected !== undefined && where.channelId !== expected)) {
          throw ruleBroken('not_in_voice', expected === undefined ? 'you are not in a voice channel' : 'you are not in this voice channel');
        }
        const { channelId, state } = where;
        const revolt = await revoltOfVoiceChannel(channelId, state);
        try {
          const gated = patch.video === true || patch.screenShare === true;
          const features = gated ? await dependencies.features(actorId) : undefined;
          const command = { type: 'UpdateVoiceSelf', channelId, actorId, patch, revolt, ...(features && { features }), at: now() } as const;
          const result = await onChannel(stepsIn(contextOf(actorId, options)), command);
          return stateResult(result, actorId, result.position);
        } catch (error) {
          // Refused for having lost access: they are removed at once rather than when the revolt's event is swept.
          if (error instanceof AppError && error.code === 'voice_access_lost') await sweepChannel(stepsIn(contextOf(VOICE_SYSTEM_ACTOR, options)), channelId, revolt);
          throw error;
        }
      });
    },

    async setSpeaking(userId, channelId, speaking, options) {
      const result = await onChannel(stepsIn(contextOf(VOICE_SYSTEM_ACTOR, options)), { type: 'SetSpeaking', channelId, userId, speaking, at: now() });
      return { changed: result.events.length > 0, position: result.position };
    },

    async setStream(userId, channelId, kind, streamId, options) {
      const result = await onChannel(stepsIn(contextOf(VOICE_SYSTEM_ACTOR, options)), { type: 'SetVoiceStream', channelId, userId, kind, streamId, at: now() });
      return { changed: result.events.length > 0, position: result.position };
    },

    serverMute: (actorId, userId, value, options) => moderate('ServerMute', actorId, userId, value, options),
    serverDeafen: (actorId, userId, value, options) => moderate('ServerDeafen', actorId, userId, value, options),

    /** Decided whole by the target channel (JoinVoice with `movedBy` and `movedFrom`); the move out follows (settle.ts). */
    move(actorId, userId, toChannelId, options = {}) {
      return serialised(userId, async () => {
        const context = contextOf(actorId, options);
        const steps = stepsIn(context);
        const { channelId: fromChannelId, state: source } = await moderatedChannel(userId, options.channelId);
        const participant = source.session?.participants.get(userId);
        if (!participant) throw notFound('voice participant');
        const revolt = await revoltOfVoiceChannel(fromChannelId, source);
        if (fromChannelId === toChannelId) {
          // Nowhere to go: the decider still answers whether the actor may move them (and moves no one).
          await onChannel(steps, { type: 'MoveVoiceMember', channelId: fromChannelId, actorId, userId, toChannelId, revolt, at: now() });
          return { fromChannelId, toChannelId, sessionId: source.session!.sessionId, participant: participantView(participant), position: null };
        }
        const joined = await onChannel(steps, {
          type: 'JoinVoice',
          channelId: toChannelId,
          userId,
          revolt,
          sessionId: idFor(context),
          selfMute: participant.selfMute,
          selfDeaf: participant.selfDeaf,
          serverMute: participant.serverMute,
          serverDeaf: participant.serverDeaf,
          carried: { video: participant.video, screenShare: participant.screenShare },
          movedBy: actorId,
          movedFrom: fromChannelId,
          at: now(),
        });
        const settled = await settleJoin(steps, stayAfter(joined, userId), revolt);
        const { sessionId, participant: moved } = stateResult(joined, userId, null);
        return { fromChannelId, toChannelId, sessionId, participant: moved, position: lastPosition(joined, ...settled) };
      });
    },

    disconnect(actorId, userId, options = {}) {
      return serialised(userId, async () => {
        const steps = stepsIn(contextOf(actorId, options));
        const { channelId, state } = await moderatedChannel(userId, options.channelId);
        const revolt = await revoltOfVoiceChannel(channelId, state);
        const result = await onChannel(steps, { type: 'DisconnectVoiceMember', channelId, actorId, userId, revolt, at: now() });
        return leaveResult(channelId, result, await release(steps, userId, channelId));
      });
    },

    async currentChannel(userId) {
      const where = await whereIs(reads, userId);
      if (!where?.state.session) return null;
      return { channelId: where.channelId, revoltId: where.state.revoltId, sessionId: where.state.session.sessionId };
    },

    async channel(channelId) {
      return viewOf(await loadChannel(reads, channelId));
    },
  };
  return service;
}
