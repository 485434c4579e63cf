import type { EventStore } from './port.ts';

/**
 * Picks the adapter from the URL scheme: postgres:// or postgresql:// (optional `?schema=name`, and `?role=name`
 * for the application role, `<schema>_app` by default; migrated on the way in), kurrentdb:// or esdb:// (and
 * their +discover cluster forms), or memory:. Only the chosen adapter is loaded: the KurrentDB client brings a
 * native module and takes a noticeable time to import.
 */
export async function createEventStore(url: string): Promise<EventStore> {
  const parsed = new URL(url);
  switch (parsed.protocol) {
    case 'postgres:':
    case 'postgresql:': {
      const { PostgresEventStore } = await import('./postgres.ts');
      const schema = parsed.searchParams.get('schema') ?? undefined;
      const role = parsed.searchParams.get('role') ?? undefined;
      parsed.searchParams.delete('schema');
      parsed.searchParams.delete('role');
      const store = new PostgresEventStore({ connectionString: parsed.toString(), schema, role });
      try {
        await store.migrate();
      } catch (error) {
        await store.close();
        throw error;
      }
      return store;
    }
    case 'kurrentdb:':
    case 'kurrentdb+discover:':
    case 'esdb:':
    case 'esdb+discover:': {
      const { KurrentEventStore } = await import('./kurrentdb.ts');
      return new KurrentEventStore(url);
    }
    case 'memory:': {
      const { MemoryEventStore } = await import('./memory.ts');
      return new MemoryEventStore();
    }
    default:
      throw new Error(`no event store adapter for ${parsed.protocol} URLs`);
  }
}
