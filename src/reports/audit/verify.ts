import { ChainVerifier } from '../../commands/donations/chain.ts';
import type { EventStore } from '../../events/store/port.ts';

const PAGE_SIZE = 1000;

/**
 * Replays the whole store in global order and checks the hash chain of every financial stream (donation-*,
 * stripe-event-*, audit-roster). Reports each broken stream with its first bad revision, and each intact
 * stream's head hash (worth anchoring outside the store: see chain.ts).
 */
export async function verifyFinancialChains(store: EventStore) {
  const verifier = new ChainVerifier();
  const startedAt = Date.now();
  let after = 0;
  let scanned = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE_SIZE });
    if (page.length === 0) break;
    for (const event of page) verifier.add(event);
    scanned += page.length;
    after = page.at(-1)!.position;
  }
  const result = verifier.result();
  return { ok: result.broken.length === 0, scannedEvents: scanned, upToPosition: after, durationMs: Date.now() - startedAt, ...result };
}
