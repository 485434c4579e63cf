import { AppError } from '../errors.ts';
import type { CommandResult } from '../handler.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { VoiceEventOf } from './events.ts';
import { loadChannel, loadRevolt, now, onChannel, onUser, type Steps } from './steps.ts';

/** A stay that began: what a VoiceParticipantJoined says of it. */
export type Stay = Pick<VoiceEventOf<'VoiceParticipantJoined'>['data'], 'userId' | 'revoltId' | 'channelId' | 'joinedAt' | 'movedBy'>;
export type Claimed = VoiceEventOf<'VoiceChannelClaimed'>['data'];

/**
 * A join, or a moderator's move, is decided once, by the channel that lets the user in (JoinVoice). The rest
 * follows from its event, with no decision left to refuse it and nothing to roll back: the user's stream claims
 * the channel (one channel per user), and the claim's event names the stay it replaced, which ends next. The
 * execute service takes these steps at once (its answer is the settled state); the voice-joins reactor takes them
 * again from the events, which completes a join a crash interrupted and changes nothing otherwise, each step being
 * decided against the state of then and naming the stay it is about.
 *
 * `revolt`: the revolt the move was decided against, when the caller has it.
 */
export async function settleJoin(steps: Steps, stay: Stay, revolt?: RevoltState): Promise<CommandResult<unknown>[]> {
  const { userId, channelId, joinedAt, movedBy } = stay;
  const channel = await loadChannel(steps, channelId);
  if (channel.session?.participants.get(userId)?.joinedAt !== joinedAt) return []; // over already: nothing to claim
  const claim = { type: 'ClaimVoiceChannel', userId, revoltId: stay.revoltId, channelId, joinedAt, ...(movedBy !== undefined && { movedBy }), at: now() } as const;
  const claimed = await onUser(steps, claim);
  const [event] = claimed.events;
  if (event) return [claimed, ...(await endReplacedStay(steps, event.data as Claimed, revolt))];
  if (claimed.state.channelId === channelId && claimed.state.joinedAt === joinedAt) return [claimed];
  // A later stay is claimed: this one was never settled (a crash), and ends as the user has moved on.
  return [claimed, await onChannel(steps, { type: 'LeaveVoice', channelId, userId, reason: 'switched', joinedAt, at: now() })];
}

/**
 * The stay a claim replaced ends: by the user's switch, or as the second half of a moderator's move. The move
 * was decided whole when the user was moved in, against `revolt`; without it (a reactor), the revolt of now
 * decides, and should the moderator no longer be allowed to move them, the stay still ends, as a switch: the user
 * is in the other channel either way.
 */
export async function endReplacedStay(steps: Steps, claimed: Claimed, revolt?: RevoltState): Promise<CommandResult<unknown>[]> {
  const { userId, previousChannelId, previousJoinedAt, movedBy } = claimed;
  if (!previousChannelId) return [];
  const stay = { channelId: previousChannelId, userId, ...(previousJoinedAt !== undefined && { joinedAt: previousJoinedAt }) };
  const asSwitch = () => onChannel(steps, { type: 'LeaveVoice', ...stay, reason: 'switched', at: now() });
  if (movedBy === undefined) return [await asSwitch()];
  const decidedAgainst = revolt ?? (await loadRevolt(steps, claimed.revoltId));
  try {
    return [await onChannel(steps, { type: 'MoveVoiceMember', ...stay, actorId: movedBy, toChannelId: claimed.channelId, revolt: decidedAgainst, at: now() })];
  } catch (error) {
    if (!(error instanceof AppError) || revolt) throw error;
    return [await asSwitch()];
  }
}
