import { sealHashChain } from '../donations/chain.ts';
import type { CommandContext, CommandHandler } from '../handler.ts';
import type { RosterCommand } from './commands.ts';
import { rosterDecider, STAFF_ROSTER_STREAM } from './decide.ts';
import type { StaffRole } from './events.ts';

/** Grants or revokes a role (the staff CLI's doing; tests call it too). */
export function changeRoster(commands: CommandHandler, command: RosterCommand, context: CommandContext) {
  return commands.execute(STAFF_ROSTER_STREAM, rosterDecider, command, context, { seal: sealHashChain });
}

/** The user's staff roles now (none for everyone else). */
export async function staffRolesOf(commands: Pick<CommandHandler, 'load'>, userId: string): Promise<ReadonlySet<StaffRole>> {
  const { state } = await commands.load(STAFF_ROSTER_STREAM, rosterDecider);
  return state.roles.get(userId) ?? new Set();
}

export async function isAuditor(commands: Pick<CommandHandler, 'load'>, userId: string): Promise<boolean> {
  return (await staffRolesOf(commands, userId)).has('auditor');
}
