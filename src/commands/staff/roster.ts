import { z } from 'zod';
import type { Decider } from '../decider.ts';
import type { CommandContext, CommandHandler } from '../handler.ts';
import { sealHashChain } from '../donations/chain.ts';
import { idSchema, isoDate } from '../../events/ids.ts';
import type { EventsOf } from '../../events/catalogue.ts';

/**
 * Who is an auditor. Auditors read every donation's full trail (donor included, even when anonymous) and run
 * the chain verifier. The capability is event-sourced: an operator grants and revokes it with the CLI
 * (`npm run audit -- grant <userId> --by <name>`), which appends to the hash-chained `audit-roster` stream,
 * so who could see what, since when and on whose word is itself part of the audited trail. There is no HTTP
 * route to grant it: being an auditor is not something any API user can confer.
 */
export const AUDIT_ROSTER_STREAM = 'audit-roster';

export const auditorEventSchemas = {
  AuditorGranted: z.object({ userId: idSchema, grantedBy: z.string().min(1), reason: z.string().optional(), at: isoDate }),
  AuditorRevoked: z.object({ userId: idSchema, revokedBy: z.string().min(1), reason: z.string().optional(), at: isoDate }),
} as const;

type Schemas = typeof auditorEventSchemas;
export type AuditorEvent = EventsOf<Schemas>;

export type RosterCommand =
  | { type: 'Grant'; userId: string; by: string; reason?: string; at: string }
  | { type: 'Revoke'; userId: string; by: string; reason?: string; at: string };

export interface RosterState {
  auditors: ReadonlySet<string>;
}

export const rosterDecider: Decider<RosterCommand, RosterState, AuditorEvent> = {
  initialState: { auditors: new Set() },
  evolve(state, event) {
    const auditors = new Set(state.auditors);
    if (event.type === 'AuditorGranted') auditors.add(event.data.userId);
    else auditors.delete(event.data.userId);
    return { auditors };
  },
  decide(command, state) {
    const reason = command.reason === undefined ? {} : { reason: command.reason };
    if (command.type === 'Grant') {
      if (state.auditors.has(command.userId)) return [];
      return [{ type: 'AuditorGranted', data: { userId: command.userId, grantedBy: command.by, ...reason, at: command.at } }];
    }
    if (!state.auditors.has(command.userId)) return [];
    return [{ type: 'AuditorRevoked', data: { userId: command.userId, revokedBy: command.by, ...reason, at: command.at } }];
  },
};

/** Grants or revokes the capability (the operator CLI's doing; tests call it too). */
export function changeRoster(commands: CommandHandler, command: RosterCommand, context: CommandContext) {
  return commands.execute(AUDIT_ROSTER_STREAM, rosterDecider, command, context, { seal: sealHashChain });
}

export async function isAuditor(commands: CommandHandler, userId: string): Promise<boolean> {
  const { state } = await commands.load(AUDIT_ROSTER_STREAM, rosterDecider);
  return state.auditors.has(userId);
}
