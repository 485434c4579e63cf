import { describe } from 'vitest';
import { KurrentEventStore } from '../../../src/events/store/kurrentdb.ts';
import { eventStoreContract } from './contract.ts';

const url = process.env.EVENTSTORE_URL ?? '';

// Runs only against a real server. Streams are uniquely named, so a shared server is fine; they are left behind.
describe.skipIf(!/^(kurrentdb|esdb):\/\//.test(url))('kurrentdb (EVENTSTORE_URL)', () => {
  eventStoreContract('kurrentdb', async () => {
    const store = new KurrentEventStore(url);
    return { store, cleanup: () => store.close() };
  });
});
