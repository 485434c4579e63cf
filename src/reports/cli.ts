import { userInfo } from 'node:os';
import { randomUUID } from 'node:crypto';
import { buildEventCatalogue } from '../catalogue.ts';
import { CommandHandler } from '../commands/handler.ts';
import { loadConfig } from '../config.ts';
import { idSchema } from '../events/ids.ts';
import { createEventStore } from '../events/store/index.ts';
import { changeRoster, rosterDecider, AUDIT_ROSTER_STREAM } from '../commands/staff/roster.ts';
import { verifyFinancialChains } from './audit/verify.ts';

const USAGE = `usage: npm run audit -- verify [--json]                 check the hash chain of every financial stream
       npm run audit -- grant <userId> [--by <name>] [--reason <text>]
       npm run audit -- revoke <userId> [--by <name>] [--reason <text>]
       npm run audit -- auditors                         list the current auditors
exit status: 0 ok, 1 a chain is broken, 2 usage or error`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The operator's audit tool: chain verification and the auditor roster. Reads EVENTSTORE_URL like the server. */
async function main(args: string[]): Promise<number> {
  const [command, target] = args;
  const config = loadConfig();
  const store = await createEventStore(config.EVENTSTORE_URL);
  try {
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
      const { state } = await commands.load(AUDIT_ROSTER_STREAM, rosterDecider);
      for (const userId of state.auditors) console.log(userId);
      return 0;
    }
    if ((command === 'grant' || command === 'revoke') && target && idSchema.safeParse(target).success) {
      const by = option(args, '--by') ?? `operator:${userInfo().username}`;
      const reason = option(args, '--reason');
      const at = new Date().toISOString();
      const id = randomUUID();
      const result = await changeRoster(
        commands,
        { type: command === 'grant' ? 'Grant' : 'Revoke', userId: target, by, ...(reason !== undefined && { reason }), at },
        { actorId: by, correlationId: id, causationId: id },
      );
      console.log(result.events.length > 0 ? `${command}ed auditor ${target}` : `nothing to do: ${target} ${command === 'grant' ? 'is already' : 'is not'} an auditor`);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await store.close();
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  return 2;
});
