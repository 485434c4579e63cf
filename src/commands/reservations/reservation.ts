import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Decider } from '../decider.ts';
import { conflict } from '../errors.ts';

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
          throw conflict(`${command.kind}_taken`, `that ${command.kind} is already taken`);
        }
        return [{ type: 'ValueClaimed', data: { kind: command.kind, ownerId: command.ownerId, claimedAt: command.at } }];
      case 'Release':
        if (state.ownerId !== command.ownerId) return [];
        return [{ type: 'ValueReleased', data: { kind: command.kind, ownerId: command.ownerId } }];
    }
  },
};

/** Stream of one unique value; the value is hashed so streams never carry personal data in their names. */
export function reservationStream(kind: string, value: string): string {
  const digest = createHash('sha256').update(value.normalize('NFKC').toLowerCase()).digest('hex');
  return `unique-${kind}-${digest.slice(0, 40)}`;
}
