import { MongoClient } from 'mongodb';
import { z } from 'zod';
import { buildEventCatalogue } from '../../catalogue.ts';
import { runCli, withEventStore } from '../../commands/cli/operator.ts';
import { loadConfig } from '../../config.ts';
import { REPORTS, reportNamed } from '../catalogue.ts';
import { MongoSnapshotStore } from '../engine/snapshots.ts';
import { renderReport } from '../formats/index.ts';
import { computeReport, hasTable, reportQuerySchema } from '../service.ts';
import { parseOptions, writeAll } from './options.ts';
import { progressBar } from './progress.ts';

const USAGE = `usage: npm run report -- <name> [--from <iso time>] [--to <iso time>] [--revolt <id>] [--bucket day|week|month]
                          [--as-of <position|iso time>] [--format json|csv|html] [--table <name>] [--no-snapshots] > file
reports: ${REPORTS.map((r) => r.name).join(', ')}
the report goes to stdout, a progress bar to stderr; exit status: 0 ok, 2 usage or error`;

/** The analysts' report CLI: the same code path as GET /v1/reports/:name (validation, replay, snapshots, formats). */
async function main(args: string[]): Promise<number> {
  const { positional, options } = parseOptions(args);
  const accumulator = reportNamed(positional[0] ?? '');
  if (!accumulator || positional.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const parsed = reportQuerySchema.safeParse({ format: options.format, from: options.from, to: options.to, revoltId: options.revolt, bucket: options.bucket, asOf: options['as-of'], table: options.table });
  const unknown = Object.keys(options).filter((o) => !['format', 'from', 'to', 'revolt', 'bucket', 'as-of', 'table', 'no-snapshots'].includes(o));
  if (!parsed.success || unknown.length > 0) {
    console.error(parsed.success ? `unknown option --${unknown[0]}` : z.prettifyError(parsed.error));
    console.error(USAGE);
    return 2;
  }
  const mongo = options['no-snapshots'] ? null : await MongoClient.connect(loadConfig().MONGODB_URL, { maxPoolSize: 2 });
  try {
    return await withEventStore(async (store) => {
      const catalogue = buildEventCatalogue();
      const source = { store, upcast: catalogue.upcast.bind(catalogue), ...(mongo && { snapshots: new MongoSnapshotStore(mongo.db()) }) };
      const bar = progressBar();
      const run = await computeReport(source, accumulator, parsed.data, { onProgress: (position, upTo) => bar.update(position, upTo) });
      bar.end();
      if (!hasTable(run, parsed.data.table)) {
        console.error(`report ${accumulator.name} has no table ${parsed.data.table}: ${run.body.tables.map((t) => t.name).join(', ')}`);
        return 2;
      }
      await writeAll(renderReport(run, parsed.data.format, { timeAxis: accumulator.timeAxis, table: parsed.data.table }));
      console.error(`${accumulator.name}: as of position ${run.asOfPosition}, replayed ${run.replay.events} events from position ${run.replay.fromPosition}`);
      return 0;
    });
  } finally {
    await mongo?.close();
  }
}

await runCli(main);
