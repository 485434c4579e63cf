import { userInfo } from 'node:os';
import { buildEventCatalogue } from '../../../catalogue.ts';
import { CommandHandler } from '../../handler.ts';
import { runCli, withEventStore } from '../../cli/operator.ts';
import { option } from '../../staff/cli/roster-cli.ts';
import { importCourseFolder } from '../import.ts';

const USAGE = `usage: npm run course -- import <folder> [--by <name>]   publish new letters, revise changed ones
exit status: 0 ok, 2 usage or an invalid letter or course`;

const list = (numbers: number[]) => (numbers.length > 0 ? numbers.join(', ') : 'none');

/** `npm run course`: the operators' course import. Reads EVENTSTORE_URL like the server. */
async function main(args: string[]): Promise<number> {
  const [command, dir] = args;
  if (command !== 'import' || dir === undefined || dir.startsWith('--')) {
    console.error(USAGE);
    return 2;
  }
  return withEventStore(async (store) => {
    const commands = new CommandHandler(store, { catalogue: buildEventCatalogue() });
    const result = await importCourseFolder(commands, dir, option(args, '--by') ?? `operator:${userInfo().username}`);
    console.log(`published: ${list(result.published)}`);
    console.log(`revised: ${list(result.revised)}`);
    console.log(`unchanged: ${result.unchanged.length} letters`);
    return 0;
  });
}

await runCli(main);
