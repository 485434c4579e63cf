import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Decider } from '../decider.ts';
import { conflict, isCodeWithStatus, type CodeWithStatus } from '../errors.ts';
import type { CommandContext, CommandHandler } from '../handler.ts';

/**
 * Uniqueness in an event-sourced system: each unique value (an email, a username#discriminator, an invite
 * code) has its own stream, and claiming it is an append that expects the stream's current revision. The
 * store's optimistic concurrency makes exactly one of two concurrent claims win, on every adapter.
 */
export const reservationEventSchemas = {
  ValueClaimed: z.object({ kind: z.string(), ownerId: z.string(), claimedAt: z.iso.datetime() }),
  ValueReleased: z.object({ kind: z.string(), ownerId: z.string() }),
} as const;

export type ReservationEvent =
  | { type: 'ValueClaimed'; data: z.infer<typeof reservationEventSchemas.ValueClaimed> }
  | { type: 'ValueReleased'; data: z.infer<typeof reservationEventSchemas.ValueReleased> };

export interface ReservationState {
  ownerId: string | null;
  claimedAt: string | null;
}

export type ReservationCommand =
  | {
      type: 'Claim';
      kind: string;
      ownerId: string;
      at: string;
      /** The current owner's claim may be taken over (it was left behind by a command that never completed). */
      takeOverAbandoned?: boolean;
    }
  | { type: 'Release'; kind: string; ownerId: string };

export const reservationDecider: Decider<ReservationCommand, ReservationState, ReservationEvent> = {
  initialState: { ownerId: null, claimedAt: null },
  evolve(state, event) {
    switch (event.type) {
      case 'ValueClaimed':
        return { ownerId: event.data.ownerId, claimedAt: event.data.claimedAt };
      case 'ValueReleased':
        return { ownerId: null, claimedAt: null };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'Claim':
        if (state.ownerId === command.ownerId) return [];
        if (state.ownerId !== null && !command.takeOverAbandoned) {
          throw conflict(takenCode(command.kind), `that ${command.kind} is already taken`);
        }
        return [{ type: 'ValueClaimed', data: { kind: command.kind, ownerId: command.ownerId, claimedAt: command.at } }];
      case 'Release':
        if (state.ownerId !== command.ownerId) return [];
        return [{ type: 'ValueReleased', data: { kind: command.kind, ownerId: command.ownerId } }];
    }
  },
};

/** `<kind>_taken`: the catalogue has one for every kind of value claimed. */
function takenCode(kind: string): CodeWithStatus<409> {
  const code = `${kind}_taken`;
  if (!isCodeWithStatus(code, 409)) throw new Error(`the error catalogue has no ${code}`);
  return code;
}

type ClaimCommand = Extract<ReservationCommand, { type: 'Claim' }>;

/**
 * Appends whose event ids a retry of the same request (same Idempotency-Key) must not reproduce: a retry would take
 * a release for its own earlier append and skip it.
 */
const withRandomEventIds = ({ ids: _ids, ...context }: CommandContext): CommandContext => context;

/**
 * Claims `value` for `command.ownerId` (409 `<kind>_taken` if another holds it). A retry whose earlier attempt
 * claimed and then released it (releaseClaim) is told by the store that its claim was applied already; as the claim
 * no longer holds, it is made again.
 */
export async function claimValue(commands: CommandHandler, stream: string, command: ClaimCommand, context: CommandContext) {
  const result = await commands.execute(stream, reservationDecider, command, context);
  if (!result.alreadyApplied) return result;
  const { state } = await commands.load(stream, reservationDecider);
  if (state.ownerId === command.ownerId) return result;
  return commands.execute(stream, reservationDecider, command, withRandomEventIds(context));
}

/**
 * Gives a value back that `ownerId` claimed, when a later step of the command that claimed it failed, so the value
 * is free at once. Nothing happens when someone else holds it.
 */
export function releaseClaim(commands: CommandHandler, kind: string, value: string, ownerId: string, context: CommandContext) {
  return commands.execute(reservationStream(kind, value), reservationDecider, { type: 'Release', kind, ownerId }, withRandomEventIds(context));
}

/** Stream of one unique value; the value is hashed so streams never carry personal data in their names. */
export function reservationStream(kind: string, value: string): string {
  const digest = createHash('sha256').update(value.normalize('NFKC').toLowerCase()).digest('hex');
  return `unique-${kind}-${digest.slice(0, 40)}`;
}
