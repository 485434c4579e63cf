import { z } from 'zod';
import type { Decider } from './decider.ts';
import { conflict, ruleBroken } from './errors.ts';

/**
 * `Idempotency-Key` records live in the event store (one stream per actor and key), so they are as durable as
 * the commands they protect and work on every adapter. A claim left by a crashed request expires after
 * CLAIM_TIMEOUT_MS, so the client's retry can proceed.
 */
export const CLAIM_TIMEOUT_MS = 60_000;

const storedResponseSchema = z.object({
  status: z.number().int(),
  body: z.string(),
  headers: z.record(z.string(), z.string()),
});
export type StoredResponse = z.infer<typeof storedResponseSchema>;

export const idempotencyEventSchemas = {
  IdempotencyKeyClaimed: z.object({ fingerprint: z.string(), claimedAt: z.iso.datetime() }),
  IdempotentResponseRecorded: storedResponseSchema,
  IdempotencyKeyReleased: z.object({}),
} as const;

type IdempotencyEvent =
  | { type: 'IdempotencyKeyClaimed'; data: { fingerprint: string; claimedAt: string } }
  | { type: 'IdempotentResponseRecorded'; data: StoredResponse }
  | { type: 'IdempotencyKeyReleased'; data: Record<string, never> };

export interface IdempotencyState {
  fingerprint: string | null;
  claimedAt: string | null;
  response: StoredResponse | null;
}

export type IdempotencyCommand =
  | { type: 'Claim'; fingerprint: string; at: string }
  | { type: 'Record'; response: StoredResponse }
  | { type: 'Release' };

export const idempotencyDecider: Decider<IdempotencyCommand, IdempotencyState, IdempotencyEvent> = {
  initialState: { fingerprint: null, claimedAt: null, response: null },
  evolve(state, event) {
    switch (event.type) {
      case 'IdempotencyKeyClaimed':
        return { fingerprint: event.data.fingerprint, claimedAt: event.data.claimedAt, response: null };
      case 'IdempotentResponseRecorded':
        return { ...state, response: event.data };
      case 'IdempotencyKeyReleased':
        return { fingerprint: null, claimedAt: null, response: null };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'Claim': {
        if (state.fingerprint !== null && state.fingerprint !== command.fingerprint) {
          throw ruleBroken('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
        }
        if (state.response) return [];
        const inProgress =
          state.claimedAt !== null && Date.parse(command.at) - Date.parse(state.claimedAt) < CLAIM_TIMEOUT_MS;
        if (inProgress) throw conflict('request_in_progress', 'a request with this Idempotency-Key is still in progress');
        return [{ type: 'IdempotencyKeyClaimed', data: { fingerprint: command.fingerprint, claimedAt: command.at } }];
      }
      case 'Record':
        if (state.response || state.fingerprint === null) return [];
        return [{ type: 'IdempotentResponseRecorded', data: command.response }];
      case 'Release':
        if (state.response || state.fingerprint === null) return [];
        return [{ type: 'IdempotencyKeyReleased', data: {} }];
    }
  },
};
