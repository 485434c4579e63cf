import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { buildEventCatalogue } from '../../../catalogue.ts';
import { newId } from '../../../events/ids.ts';
import { runCli, withEventStore } from '../../cli/operator.ts';
import { CommandHandler } from '../../handler.ts';
import { option } from '../../staff/cli/roster-cli.ts';
import { MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH } from '../events.ts';
import { postAnnouncement } from '../execute.ts';

const USAGE = `usage: npm run announce -- (--revolt <revoltId> | --everyone) --title <title> --body <text> [--by <name>]
exit status: 0 posted, 2 usage, or no such revolt`;

/** `npm run announce`: an operator's system announcement. Whoever holds the event store's credentials acts as an operator. */
async function main(args: string[]): Promise<number> {
  const revoltId = option(args, '--revolt');
  const everyone = args.includes('--everyone');
  const title = option(args, '--title')?.trim();
  const message = option(args, '--body')?.trim();
  const valid = (revoltId === undefined) === everyone && (revoltId === undefined || /^[0-9a-f]{24}$/.test(revoltId));
  if (!valid || !title || !message || title.length > MAX_TITLE_LENGTH || message.length > MAX_MESSAGE_LENGTH) {
    console.error(USAGE);
    return 2;
  }
  const by = option(args, '--by') ?? `operator:${userInfo().username}`;
  return withEventStore(async (store) => {
    const commands = new CommandHandler(store, { catalogue: buildEventCatalogue() });
    const announcementId = newId();
    const context = { actorId: by, correlationId: randomUUID(), causationId: randomUUID() };
    await postAnnouncement(commands, { id: by, roles: new Set(['operator']) }, { announcementId, ...(revoltId && { revoltId }), title, message }, context);
    console.log(`announcement ${announcementId} posted to ${revoltId ? `the members of revolt ${revoltId}` : 'everyone'}`);
    return 0;
  });
}

await runCli(main);
