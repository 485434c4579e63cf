import type { NewEvent } from '../../events/envelope.ts';
import type { Decider } from '../decider.ts';
import type { CommandResult, Loaded } from '../handler.ts';
import { revoltDecider, revoltStream } from '../revolts/decide.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { VoiceChannelCommand, VoiceUserCommand } from './commands.ts';
import { voiceChannelDecider, voiceChannelStream, voiceUserDecider, voiceUserStream } from './decide.ts';
import type { VoiceChannelState, VoiceUserState } from './state.ts';

/**
 * How a voice process that spans streams takes its steps: each a command through the command handler, all in one
 * context (the execute service's request, or a reactor's event, whose ids make a step given again find its
 * first append), and the loads of the states they are decided against.
 */
export interface Steps {
  run<C, S, E extends NewEvent>(streamId: string, decider: Decider<C, S, E>, command: C): Promise<CommandResult<S>>;
  load<S, E extends NewEvent>(streamId: string, decider: Decider<unknown, S, E>): Promise<Loaded<S>>;
}

let last = 0;
/**
 * The time of a step: never the same twice within the process, so that the stays of a user, named by when they
 * began, are in the order they began (see ClaimVoiceChannel).
 */
export function now(): string {
  last = Math.max(Date.now(), last + 1);
  return new Date(last).toISOString();
}

export const onChannel = (steps: Steps, command: VoiceChannelCommand) => steps.run(voiceChannelStream(command.channelId), voiceChannelDecider, command);
export const onUser = (steps: Steps, command: VoiceUserCommand) => steps.run(voiceUserStream(command.userId), voiceUserDecider, command);

export const loadChannel = async (steps: Steps, channelId: string): Promise<VoiceChannelState> =>
  (await steps.load(voiceChannelStream(channelId), voiceChannelDecider)).state;
export const loadUser = async (steps: Steps, userId: string): Promise<VoiceUserState> => (await steps.load(voiceUserStream(userId), voiceUserDecider)).state;

/** The revolt as the event store has it (deleted ones too: a sweep must still see them). */
export const loadRevolt = async (steps: Steps, revoltId: string): Promise<RevoltState> => (await steps.load(revoltStream(revoltId), revoltDecider)).state;

/** Gives up the user's claim on `channelId` once they have left it (a claim on another channel is left alone). */
export const release = (steps: Steps, userId: string, channelId: string) => onUser(steps, { type: 'ReleaseVoiceChannel', userId, channelId, at: now() });

/** The channel the user is in: their claim, confirmed by the channel's own stream. */
export async function whereIs(steps: Steps, userId: string): Promise<{ channelId: string; state: VoiceChannelState } | null> {
  const claim = await loadUser(steps, userId);
  if (!claim.channelId) return null;
  const state = await loadChannel(steps, claim.channelId);
  return state.session?.participants.has(userId) ? { channelId: claim.channelId, state } : null;
}

/** The global position of the last event the steps appended, or null when none appended anything. */
export function lastPosition(...results: Array<CommandResult<unknown> | null | undefined>): number | null {
  return results.reduce<number | null>((p, r) => (r?.position != null && (p === null || r.position > p) ? r.position : p), null);
}
