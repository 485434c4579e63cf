import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { idSchema } from '../../../events/ids.ts';
import type { CommandHandler } from '../../handler.ts';
import { staffRoleSchema, type StaffRole } from '../events.ts';
import { rosterDecider, STAFF_ROSTER_STREAM } from '../decide.ts';
import { changeRoster } from '../roster.ts';

/** The named option's value (`--by alice`), if given. */
export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * `grant`/`revoke` <userId> <role> for the staff CLI (and the audit CLI's auditor shorthand): appends the change to
 * the roster, attributed to `--by` (default `operator:<login>`), and says what it did. Returns the exit status:
 * 0 done or nothing to do, 2 an invalid user id or role.
 */
export async function changeRoleFromCli(commands: CommandHandler, verb: 'grant' | 'revoke', userId: string | undefined, role: string | undefined, args: readonly string[]): Promise<number> {
  const user = idSchema.safeParse(userId);
  const parsedRole = staffRoleSchema.safeParse(role);
  if (!user.success || !parsedRole.success) {
    console.error(`${verb}: expected a user id (24 hex characters) and a role (${staffRoleSchema.options.join(', ')})`);
    return 2;
  }
  const by = option(args, '--by') ?? `operator:${userInfo().username}`;
  const reason = option(args, '--reason');
  const id = randomUUID();
  const result = await changeRoster(
    commands,
    { type: verb === 'grant' ? 'Grant' : 'Revoke', userId: user.data, role: parsedRole.data, by, ...(reason !== undefined && { reason }), at: new Date().toISOString() },
    { actorId: by, correlationId: id, causationId: id },
  );
  const done = verb === 'grant' ? `granted ${parsedRole.data} to ${user.data}` : `revoked ${parsedRole.data} from ${user.data}`;
  console.log(result.events.length > 0 ? done : `nothing to do: ${user.data} ${verb === 'grant' ? 'already is' : 'is not'} ${parsedRole.data}`);
  return 0;
}

/** Prints `<userId> <role>,<role>` for every staff member (only those holding `role`, when given). */
export async function listRosterFromCli(commands: CommandHandler, role?: StaffRole): Promise<void> {
  const { state } = await commands.load(STAFF_ROSTER_STREAM, rosterDecider);
  for (const [userId, roles] of state.roles) {
    if (role === undefined) console.log(`${userId} ${[...roles].sort().join(',')}`);
    else if (roles.has(role)) console.log(userId);
  }
}
