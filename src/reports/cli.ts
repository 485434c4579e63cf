import { buildEventCatalogue } from '../catalogue.ts';
import { runCli, withEventStore } from '../commands/cli/operator.ts';
import { CommandHandler } from '../commands/handler.ts';
import { changeRoleFromCli, listRosterFromCli } from '../commands/staff/cli/roster-cli.ts';
import { verifyFinancialChains } from './audit/verify.ts';

const USAGE = `usage: npm run audit -- verify [--json]                 check the hash chain of every financial stream
       npm run audit -- grant <userId> [--by <name>] [--reason <text>]
       npm run audit -- revoke <userId> [--by <name>] [--reason <text>]
       npm run audit -- auditors                         list the current auditors
grant and revoke change the auditor role on the staff roster, as 'npm run staff -- grant|revoke <userId> auditor' does
exit status: 0 ok, 1 a chain is broken, 2 usage or error`;

/** The operator's audit tool: chain verification and the auditors on the staff roster. Reads EVENTSTORE_URL like the server. */
async function main(args: string[]): Promise<number> {
  const [command, target] = args;
  return withEventStore(async (store) => {
    if (command === 'verify') {
      const report = await verifyFinancialChains(store);
      if (args.includes('--json')) {
        console.log(JSON.stringify(report, null, 2));
      } else {
        console.log(`verified ${report.streams} financial streams (${report.events} events) of ${report.scannedEvents} events up to position ${report.upToPosition}`);
        for (const broken of report.broken) {
          console.log(`BROKEN ${broken.streamId} at revision ${broken.firstBadRevision}: ${broken.reason}`);
        }
        console.log(report.ok ? 'chains: ok' : `chains: ${report.broken.length} broken`);
      }
      return report.ok ? 0 : 1;
    }
    const commands = new CommandHandler(store, { catalogue: buildEventCatalogue() });
    if (command === 'auditors') {
      await listRosterFromCli(commands, 'auditor');
      return 0;
    }
    if (command === 'grant' || command === 'revoke') return await changeRoleFromCli(commands, command, target, 'auditor', args);
    console.error(USAGE);
    return 2;
  });
}

await runCli(main);
