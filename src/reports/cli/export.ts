import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { buildEventCatalogue } from '../../catalogue.ts';
import { runCli, withEventStore } from '../../commands/cli/operator.ts';
import { EXPORT_ALLOW_LIST } from '../export/allow-list.ts';
import { csvHeader, csvRow } from '../export/csv.ts';
import { exportEvents, ndjsonLine } from '../export/events.ts';
import { isoTime } from '../shared/iso-time.ts';
import { parseOptions } from './options.ts';

const USAGE = `usage: npm run export -- events [--from <iso time>] [--to <iso time>] [--types A,B,…] > events.ndjson
       npm run export -- events [--from …] [--to …] [--types …] --format csv --out <dir>    one <Type>.csv per event type
personal data (emails, IP addresses, password and token hashes, Stripe handles) is never exported: each type's
fields are allow-listed (src/reports/export/allow-list.ts); types without a list are not exported.
exportable types: ${Object.keys(EXPORT_ALLOW_LIST).join(', ')}
exit status: 0 ok, 2 usage or error`;

const optionsSchema = z.strictObject({
  from: isoTime.optional(),
  to: isoTime.optional(),
  types: z
    .string()
    .transform((list) => list.split(',').map((t) => t.trim()).filter((t) => t.length > 0))
    .refine((types) => types.every((t) => t in EXPORT_ALLOW_LIST), 'every type must be exportable (see the list below)')
    .optional(),
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
  out: z.string().min(1).optional(),
});

/** Writes a line, waiting whenever the stream's buffer is full. */
async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
}

/** The analysts' export of the log for their own tools: NDJSON on stdout, or a CSV file per event type. */
async function main(args: string[]): Promise<number> {
  const { positional, options } = parseOptions(args);
  const parsed = optionsSchema.safeParse(options);
  if (positional[0] !== 'events' || positional.length !== 1 || !parsed.success || (parsed.data.format === 'csv') !== (parsed.data.out !== undefined)) {
    if (!parsed.success) console.error(z.prettifyError(parsed.error));
    console.error(USAGE);
    return 2;
  }
  const { out, format, ...filters } = parsed.data;
  return withEventStore(async (store) => {
    const catalogue = buildEventCatalogue();
    const events = exportEvents(store, catalogue.upcast.bind(catalogue), filters);
    let count = 0;
    if (format === 'ndjson') {
      for await (const event of events) {
        await write(process.stdout, ndjsonLine(event));
        count += 1;
      }
    } else {
      await mkdir(out!, { recursive: true });
      const files = new Map<string, NodeJS.WritableStream>();
      for await (const event of events) {
        let file = files.get(event.type);
        if (!file) {
          file = createWriteStream(join(out!, `${event.type}.csv`));
          files.set(event.type, file);
          await write(file, csvHeader(event.type));
        }
        await write(file, csvRow(event));
        count += 1;
      }
      for (const file of files.values()) {
        file.end();
        await finished(file);
      }
    }
    console.error(`exported ${count} events`);
    return 0;
  });
}

await runCli(main);
