import { loadConfig } from '../../config.ts';
import { createEventStore } from '../../events/store/index.ts';
import type { EventStore } from '../../events/store/port.ts';

/** Runs an operators' CLI: `main` on the process's arguments; its result is the exit status, an error prints its message and exits 2. */
export async function runCli(main: (args: string[]) => Promise<number>): Promise<void> {
  process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    return 2;
  });
}

/** `use` with the event store at EVENTSTORE_URL (read like the server reads it), closed after. */
export async function withEventStore(use: (store: EventStore) => Promise<number>): Promise<number> {
  const store = await createEventStore(loadConfig().EVENTSTORE_URL);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
