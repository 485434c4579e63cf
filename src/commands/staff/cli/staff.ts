import { buildEventCatalogue } from '../../../catalogue.ts';
import { CommandHandler } from '../../handler.ts';
import { runCli, withEventStore } from '../../cli/operator.ts';
import { staffRoleSchema } from '../events.ts';
import { changeRoleFromCli, listRosterFromCli } from './roster-cli.ts';

const USAGE = `usage: npm run staff -- grant <userId> <role> [--by <name>] [--reason <text>]
       npm run staff -- revoke <userId> <role> [--by <name>] [--reason <text>]
       npm run staff -- list [<role>]
roles: ${staffRoleSchema.options.join(', ')}; exit status: 0 ok, 2 usage or error`;

/** `npm run staff`: the staff roster (operators, analysts, auditors). Reads EVENTSTORE_URL like the server. */
async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const listed = command === 'list' ? staffRoleSchema.optional().safeParse(rest[0]) : undefined;
  if (command !== 'grant' && command !== 'revoke' && !listed?.success) {
    console.error(USAGE);
    return 2;
  }
  return withEventStore(async (store) => {
    const commands = new CommandHandler(store, { catalogue: buildEventCatalogue() });
    if (listed?.success) {
      await listRosterFromCli(commands, listed.data);
      return 0;
    }
    return await changeRoleFromCli(commands, command as 'grant' | 'revoke', rest[0], rest[1], rest);
  });
}

await runCli(main);
