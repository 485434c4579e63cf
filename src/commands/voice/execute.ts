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
 *   await voice.sweepUser(userId) · sweepChannel(channelId) · sweepRevolt(revoltId)
 *                                                               → remove participants who lost access
 *   await voice.afterEvent(event)                               → the right sweep for a revolt event (kick, ban,
 *                                                                 leave, channel deleted, roles/overwrites changed);
 *                                                                 revolt commands over HTTP already call it
 *
 * Use the shared `voiceCommands(services)` where possible: its per-user queue then orders HTTP and gateway calls
 * for one user too. setSpeaking/setStream answer 404 for someone not (or no longer) in that channel.
 *
 * Error codes: 404 `not_found` (channel/revolt unknown or not visible, target not in that channel), 403
 * `forbidden` (`details.missing` names the permission: CONNECT, SPEAK, VIDEO, STREAM, MUTE_MEMBERS,
 * DEAFEN_MEMBERS, MOVE_MEMBERS; or the role hierarchy), 403 `voice_access_lost` (the user may no longer be in
 * their channel: they have been removed from it), 422 `not_a_voice_channel`, `voice_channel_full`,
 * `not_in_voice`, `video_not_enabled`, `screen_share_not_enabled`, 409 `concurrency_conflict`.
 *
 * Streams (see decide.ts): a channel's sessions live on `voice-channel-<channelId>`; the one-channel-per-user
 * rule on `voice-user-<userId>`. Multi-stream operations run in a crash-safe order and are serialised per user
 * within the process:
 * - join B while in A: leave A (reason `switched`), claim B on the user stream, join B; if joining B fails, the
 *   claim is released. A crash in between leaves at worst a claim on a channel the user is not in, which every
 *   operation treats as "not connected" (the channel's own stream is the truth about who is in it).
 * - move: claim the target, leave the source (`moved`), join the target with `movedBy`.
 */
import { newId } from '../../events/ids.ts';
import { AppError, notFound, ruleBroken } from '../errors.ts';
import type { CommandContext, CommandHandler, CommandResult } from '../handler.ts';
import { keyedQueue } from '../keyed-queue.ts';
import { idFor } from '../request-ids.ts';
import { revoltDecider, revoltStream } from '../revolts/decide.ts';
import { channelRevolt, type ChannelDirectorySources } from '../../projections/channels/directory.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { VoiceChannelCommand, VoiceSelfPatch } from './commands.ts';
import { voiceChannelDecider, voiceChannelStream, voiceUserDecider, voiceUserStream } from './decide.ts';
import type { StreamKind } from './events.ts';
import { channelSettingsView, isMediaChannel, participantView, type VoiceChannelSettingsView, type VoiceParticipantView } from './rules.ts';
import type { VoiceChannelState } from './state.ts';

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
  sweepUser(userId: string, options?: VoiceCallOptions): Promise<string[]>;
  sweepChannel(channelId: string, options?: VoiceCallOptions): Promise<string[]>;
  sweepRevolt(revoltId: string, options?: VoiceCallOptions, loaded?: RevoltState): Promise<string[]>;
  /** `revolt`: the revolt as the command that made the event left it, when the caller has it (saves reading it again). */
  afterEvent(event: { type: string; data: unknown }, options?: VoiceCallOptions, revolt?: RevoltState): Promise<string[]>;
}

const RECONCILING_EVENTS = new Set(['RoleUpdated', 'RoleDeleted', 'MemberRoleRevoked', 'RevoltDeleted', 'OwnershipTransferred']);
const CHANNEL_EVENTS = new Set(['ChannelDeleted', 'ChannelUpdated', 'ChannelPermissionsSet', 'ChannelPermissionsRemoved']);
/** Events after which one member may have lost access: gone from the revolt, or a role (e.g. one denying CONNECT) granted. */
const MEMBER_EVENTS = new Set(['MemberLeft', 'MemberKicked', 'MemberBanned', 'MemberRoleGranted']);

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

/** What the service runs on: the command handler, and the channel directory that finds a channel's revolt. */
export interface VoiceDependencies extends ChannelDirectorySources {
  commands: CommandHandler;
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

  const now = () => new Date().toISOString();
  const loadChannel = async (channelId: string) => (await commands.load(voiceChannelStream(channelId), voiceChannelDecider)).state;
  const loadUser = async (userId: string) => (await commands.load(voiceUserStream(userId), voiceUserDecider)).state;
  const onChannel = (channelId: string, command: VoiceChannelCommand, context: CommandContext) =>
    commands.execute(voiceChannelStream(channelId), voiceChannelDecider, command, context);

  /** The revolt as the event store has it (deleted ones too: a sweep must still see them). */
  async function revoltById(revoltId: string): Promise<RevoltState> {
    return (await commands.load(revoltStream(revoltId), revoltDecider)).state;
  }

  /** The revolt of a channel: from the voice stream when a session runs (it survives the channel's deletion), else the directory. */
  async function revoltOfVoiceChannel(channelId: string, state?: VoiceChannelState): Promise<RevoltState> {
    return revoltById(state?.revoltId || (await channelRevolt(dependencies, channelId)));
  }

  /** The channel the user is in: their claim, confirmed by the channel's own stream. */
  async function whereIs(userId: string): Promise<{ channelId: string; state: VoiceChannelState } | null> {
    const claim = await loadUser(userId);
    if (!claim.channelId) return null;
    const state = await loadChannel(claim.channelId);
    return state.session?.participants.has(userId) ? { channelId: claim.channelId, state } : null;
  }

  /** The channel a moderator acts on `userId` in: the one given (the HTTP route's), else wherever they are (404 if none). */
  async function moderatedChannel(userId: string, channelId: string | undefined): Promise<{ channelId: string; state: VoiceChannelState }> {
    const where = channelId !== undefined ? { channelId, state: await loadChannel(channelId) } : await whereIs(userId);
    if (!where) throw notFound('voice participant');
    return where;
  }

  /** The users a channel command removed. */
  const leftUserIds = (result: CommandResult<VoiceChannelState>) =>
    result.events.filter((e) => e.type === 'VoiceParticipantLeft').map((e) => (e.data as { userId: string }).userId);

  async function release(userId: string, channelId: string, context: CommandContext) {
    return commands.execute(voiceUserStream(userId), voiceUserDecider, { type: 'ReleaseVoiceChannel', userId, channelId, at: now() }, context);
  }

  function lastPosition(...results: Array<CommandResult<unknown> | null | undefined>): number | null {
    return results.reduce<number | null>((p, r) => (r?.position != null && (p === null || r.position > p) ? r.position : p), null);
  }

  function stateResult(result: CommandResult<VoiceChannelState>, userId: string, position: number | null): VoiceStateResult {
    const session = result.state.session;
    const participant = session?.participants.get(userId);
    if (!session || !participant) throw notFound('voice participant');
    return { channelId: result.state.channelId, sessionId: session.sessionId, participant: participantView(participant), position };
  }

  /** Leaves whatever channel the user is in (their own doing); a no-op when they are in none. */
  async function leaveAs(userId: string, reason: 'left' | 'connection_lost', context: CommandContext): Promise<VoiceLeaveResult> {
    const { channelId } = await loadUser(userId);
    return channelId ? leaveChannel(userId, channelId, reason, context) : { channelId: null, sessionId: null, sessionEnded: false, position: null };
  }

  /** Leaves `channelId`, where the user's claim says they are; a switch keeps the claim (the join moves it). */
  async function leaveChannel(userId: string, channelId: string, reason: 'left' | 'connection_lost' | 'switched', context: CommandContext): Promise<VoiceLeaveResult> {
    const left = await onChannel(channelId, { type: 'LeaveVoice', channelId, userId, reason, at: now() }, context);
    const released = reason === 'switched' ? null : await release(userId, channelId, context);
    return leaveResult(channelId, left, released);
  }

  function leaveResult(channelId: string, left: CommandResult<VoiceChannelState>, released: CommandResult<unknown> | null): VoiceLeaveResult {
    const leftEvent = left.events.find((e) => e.type === 'VoiceParticipantLeft');
    return {
      channelId: leftEvent ? channelId : null,
      sessionId: leftEvent ? (leftEvent.data as { sessionId: string }).sessionId : null,
      sessionEnded: left.events.some((e) => e.type === 'VoiceSessionEnded'),
      position: lastPosition(left, released),
    };
  }

  /**
   * Removes, with reason `removed`, the participants of a channel who may no longer be there, and releases
   * their claims. Returns their ids.
   */
  async function sweepChannel(channelId: string, options?: VoiceCallOptions, loaded?: RevoltState): Promise<string[]> {
    const state = await loadChannel(channelId);
    if (!state.session) return [];
    const context = contextOf(VOICE_SYSTEM_ACTOR, options);
    const revolt = loaded?.revoltId === state.revoltId ? loaded : await revoltById(state.revoltId);
    const removed = leftUserIds(await onChannel(channelId, { type: 'SweepVoice', channelId, revolt, at: now() }, context));
    for (const userId of removed) await serialised(userId, () => release(userId, channelId, context));
    return removed;
  }

  async function moderate(type: 'ServerMute' | 'ServerDeafen', actorId: string, userId: string, value: boolean, options: InChannelOptions = {}) {
    const context = contextOf(actorId, options);
    const { channelId, state } = await moderatedChannel(userId, options.channelId);
    if (!state.session?.participants.has(userId)) throw notFound('voice participant');
    const revolt = await revoltOfVoiceChannel(channelId, state);
    const result = await onChannel(channelId, { type, channelId, actorId, userId, value, revolt, at: now() }, context);
    const participant = result.state.session?.participants.get(userId);
    let persisted: CommandResult<unknown> | null = null;
    if (participant) {
      const { serverMute, serverDeaf } = participant;
      persisted = await commands.execute(
        voiceUserStream(userId),
        voiceUserDecider,
        { type: 'SetVoiceModeration', userId, revoltId: state.revoltId, by: actorId, serverMute, serverDeaf, at: now() },
        context,
      );
    }
    return stateResult(result, userId, lastPosition(result, persisted));
  }

  const service: VoiceCommands = {
    join(actorId, channelId, options = {}) {
      return serialised(actorId, async () => {
        const context = contextOf(actorId, options);
        const revolt = await revoltOfVoiceChannel(channelId);
        const target = await loadChannel(channelId);
        const claim = await loadUser(actorId);
        const standing = claim.moderation.get(revolt.revoltId);
        const command: VoiceChannelCommand = {
          type: 'JoinVoice',
          channelId,
          userId: actorId,
          revolt,
          sessionId: idFor(context),
          selfMute: options.selfMute ?? false,
          selfDeaf: options.selfDeaf ?? false,
          serverMute: standing?.serverMute ?? false,
          serverDeaf: standing?.serverDeaf ?? false,
          at: now(),
        };
        // Decide against the state as loaded before leaving the old channel: a refused join leaves the user where they were.
        voiceChannelDecider.decide(command, target);
        let switched: VoiceLeaveResult | null = null;
        if (claim.channelId && claim.channelId !== channelId) switched = await leaveChannel(actorId, claim.channelId, 'switched', context);
        const claimed = await commands.execute(
          voiceUserStream(actorId),
          voiceUserDecider,
          { type: 'ClaimVoiceChannel', userId: actorId, revoltId: revolt.revoltId, channelId, at: now() },
          context,
        );
        let joined: CommandResult<VoiceChannelState>;
        try {
          joined = await onChannel(channelId, { ...command, at: now() }, context);
        } catch (error) {
          await release(actorId, channelId, context);
          throw error;
        }
        const view = viewOf(joined.state);
        if (!view) throw new Error('JoinVoice left no session');
        const channel = revolt.channels.get(channelId);
        if (!channel) throw notFound('channel');
        return { ...view, settings: channelSettingsView(revolt, channel), position: lastPosition(joined, claimed) ?? switched?.position ?? null };
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
        const context = contextOf(actorId, options);
        const expected = options?.channelId;
        const where = await whereIs(actorId);
        if (!where || (expected !== undefined && where.channelId !== expected)) {
          throw ruleBroken('not_in_voice', expected === undefined ? 'you are not in a voice channel' : 'you are not in this voice channel');
        }
        const { channelId, state } = where;
        const revolt = await revoltOfVoiceChannel(channelId, state);
        try {
          const result = await onChannel(channelId, { type: 'UpdateVoiceSelf', channelId, actorId, patch, revolt, at: now() }, context);
          return stateResult(result, actorId, result.position);
        } catch (error) {
          if (error instanceof AppError && error.code === 'voice_access_lost') {
            const removed = await onChannel(channelId, { type: 'SweepVoice', channelId, revolt, at: now() }, contextOf(VOICE_SYSTEM_ACTOR, options));
            for (const userId of leftUserIds(removed)) await release(userId, channelId, context);
          }
          throw error;
        }
      });
    },

    async setSpeaking(userId, channelId, speaking, options) {
      const result = await onChannel(channelId, { type: 'SetSpeaking', channelId, userId, speaking, at: now() }, contextOf(VOICE_SYSTEM_ACTOR, options));
      return { changed: result.events.length > 0, position: result.position };
    },

    async setStream(userId, channelId, kind, streamId, options) {
      const command: VoiceChannelCommand = { type: 'SetVoiceStream', channelId, userId, kind, streamId, at: now() };
      const result = await onChannel(channelId, command, contextOf(VOICE_SYSTEM_ACTOR, options));
      return { changed: result.events.length > 0, position: result.position };
    },

    serverMute: (actorId, userId, value, options) => moderate('ServerMute', actorId, userId, value, options),
    serverDeafen: (actorId, userId, value, options) => moderate('ServerDeafen', actorId, userId, value, options),

    move(actorId, userId, toChannelId, options = {}) {
      return serialised(userId, async () => {
        const context = contextOf(actorId, options);
        const { channelId: fromChannelId, state: source } = await moderatedChannel(userId, options.channelId);
        const participant = source.session?.participants.get(userId);
        if (!participant) throw notFound('voice participant');
        const revolt = await revoltOfVoiceChannel(fromChannelId, source);
        const moveOut: VoiceChannelCommand = { type: 'MoveVoiceMember', channelId: fromChannelId, actorId, userId, toChannelId, revolt, at: now() };
        // Both halves are decided before anything is appended: permissions on both channels, the target's room.
        voiceChannelDecider.decide(moveOut, source);
        if (fromChannelId === toChannelId) return { fromChannelId, toChannelId, sessionId: source.session!.sessionId, participant: participantView(participant), position: null };
        const moveIn: VoiceChannelCommand = {
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
          at: now(),
        };
        voiceChannelDecider.decide(moveIn, await loadChannel(toChannelId));
        const claimed = await commands.execute(
          voiceUserStream(userId),
          voiceUserDecider,
          { type: 'ClaimVoiceChannel', userId, revoltId: revolt.revoltId, channelId: toChannelId, at: now() },
          context,
        );
        await onChannel(fromChannelId, { ...moveOut, at: now() }, context);
        let joined: CommandResult<VoiceChannelState>;
        try {
          joined = await onChannel(toChannelId, { ...moveIn, at: now() }, context);
        } catch (error) {
          await release(userId, toChannelId, context);
          throw error;
        }
        const { sessionId, participant: moved } = stateResult(joined, userId, null);
        return { fromChannelId, toChannelId, sessionId, participant: moved, position: lastPosition(joined, claimed) };
      });
    },

    disconnect(actorId, userId, options = {}) {
      return serialised(userId, async () => {
        const context = contextOf(actorId, options);
        const { channelId, state } = await moderatedChannel(userId, options.channelId);
        const revolt = await revoltOfVoiceChannel(channelId, state);
        const result = await onChannel(channelId, { type: 'DisconnectVoiceMember', channelId, actorId, userId, revolt, at: now() }, context);
        return leaveResult(channelId, result, await release(userId, channelId, context));
      });
    },

    async currentChannel(userId) {
      const where = await whereIs(userId);
      if (!where?.state.session) return null;
      return { channelId: where.channelId, revoltId: where.state.revoltId, sessionId: where.state.session.sessionId };
    },

    async channel(channelId) {
      return viewOf(await loadChannel(channelId));
    },

    async sweepUser(userId, options) {
      const where = await whereIs(userId);
      return where ? sweepChannel(where.channelId, options) : [];
    },

    sweepChannel: (channelId, options) => sweepChannel(channelId, options),

    async sweepRevolt(revoltId, options, loaded) {
      const revolt = loaded?.revoltId === revoltId ? loaded : await revoltById(revoltId);
      const removed: string[] = [];
      for (const channel of revolt.channels.values()) {
        if (isMediaChannel(channel)) removed.push(...(await sweepChannel(channel.channelId, options, revolt)));
      }
      return removed;
    },

    async afterEvent(event, options, revolt) {
      const data = event.data as { revoltId?: string; channelId?: string; userId?: string };
      if (MEMBER_EVENTS.has(event.type) && data.userId) return service.sweepUser(data.userId, options);
      if (CHANNEL_EVENTS.has(event.type) && data.channelId) {
        // A text channel that still exists has no voice session to sweep.
        const channel = revolt?.channels.get(data.channelId);
        if (channel && !isMediaChannel(channel)) return [];
        return sweepChannel(data.channelId, options, revolt);
      }
      if (RECONCILING_EVENTS.has(event.type) && data.revoltId) return service.sweepRevolt(data.revoltId, options, revolt);
      return [];
    },
  };
  return service;
}
