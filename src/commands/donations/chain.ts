import { createHash } from 'node:crypto';
import type { EventToAppend, RecordedEvent } from '../../events/envelope.ts';

/**
 * Hash chaining of financial streams, so that editing the store behind the application's back is detectable.
 *
 * Each event of a chained stream carries, in its metadata:
 *   - `previousHash`: the `hash` of the previous event of the stream; for revision 0, the stream's genesis hash
 *     sha256("genesis\n" + streamId), which binds the chain to its stream;
 *   - `hash`: sha256 (lowercase hex) of the canonical JSON of
 *       { id, type, data, metadata: metadata without `hash` and `previousHash`, previousHash }.
 * Canonical JSON: object keys sorted by UTF-16 code units, keys whose value is undefined left out (as JSON does),
 * no whitespace, strings and numbers as JSON.stringify writes them. Stored JSON (PostgreSQL jsonb) may reorder
 * keys; the canonical form does not depend on their order, so hashes survive the round trip.
 *
 * Editing an event changes its hash (caught at that revision); recomputing its hash breaks the next event's
 * `previousHash`. The chain's last event can be rewritten consistently by someone who can write the store, so
 * head hashes should be anchored elsewhere (the verifier reports them) for the tail to be covered too.
 */

const FINANCIAL_STREAM_PREFIXES = ['donation-', 'stripe-event-', 'audit-roster'] as const;

export function isFinancialStream(streamId: string): boolean {
  return FINANCIAL_STREAM_PREFIXES.some((prefix) => streamId.startsWith(prefix));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const genesisHash = (streamId: string) => sha256(`genesis\n${streamId}`);

/** The hash of an event as defined above (its own `hash`, if any, is ignored). */
export function eventHash(event: Pick<EventToAppend, 'id' | 'type' | 'data' | 'metadata'>): string {
  const { hash: _hash, previousHash, ...metadata } = event.metadata;
  return sha256(canonicalJson({ id: event.id, type: event.type, data: event.data, metadata, previousHash: previousHash ?? null }));
}

/**
 * An AppendSealer for the command handler: links the events about to be appended to the stream's last one.
 * The previous event's hash is recomputed from what is stored; if the predecessor was edited, its stored
 * `hash` no longer matches and the verifier reports it at the predecessor's revision.
 */
export function sealHashChain(events: EventToAppend[], previous: RecordedEvent | null, streamId: string): void {
  let previousHash = previous ? eventHash(previous) : genesisHash(streamId);
  for (const event of events) {
    event.metadata.previousHash = previousHash;
    event.metadata.hash = eventHash(event);
    previousHash = event.metadata.hash as string;
  }
}

export interface BrokenChain {
  streamId: string;
  /** The first revision at which the chain does not hold. */
  firstBadRevision: number;
  reason: 'hash_mismatch' | 'previous_hash_mismatch' | 'unsealed' | 'revision_gap';
}

/**
 * Verifies chains incrementally over events read in any order that keeps each stream's events in revision
 * order (e.g. the global order of readAll): feed events, then read the results.
 */
export class ChainVerifier {
  private readonly streams = new Map<string, { nextRevision: number; lastHash: string; events: number }>();
  private readonly broken = new Map<string, BrokenChain>();

  constructor(private readonly include: (streamId: string) => boolean = isFinancialStream) {}

  add(event: RecordedEvent): void {
    if (!this.include(event.streamId) || this.broken.has(event.streamId)) return;
    const stream = this.streams.get(event.streamId) ?? { nextRevision: 0, lastHash: genesisHash(event.streamId), events: 0 };
    this.streams.set(event.streamId, stream);
    const fail = (reason: BrokenChain['reason'], revision = event.revision): void => {
      this.broken.set(event.streamId, { streamId: event.streamId, firstBadRevision: revision, reason });
    };
    if (event.revision !== stream.nextRevision) return fail('revision_gap', stream.nextRevision);
    const { hash, previousHash } = event.metadata;
    if (typeof hash !== 'string' || typeof previousHash !== 'string') return fail('unsealed');
    if (previousHash !== stream.lastHash) return fail('previous_hash_mismatch');
    const recomputed = eventHash(event);
    if (hash !== recomputed) return fail('hash_mismatch');
    stream.lastHash = recomputed;
    stream.nextRevision += 1;
    stream.events += 1;
  }

  /** Call once every event has been added: streams whose chain is broken, and the head hash of each stream. */
  result(): { streams: number; events: number; broken: BrokenChain[]; heads: Record<string, { revision: number; hash: string }> } {
    const heads: Record<string, { revision: number; hash: string }> = {};
    let events = 0;
    for (const [streamId, stream] of this.streams) {
      events += stream.events;
      if (!this.broken.has(streamId)) heads[streamId] = { revision: stream.nextRevision - 1, hash: stream.lastHash };
    }
    const broken = [...this.broken.values()].sort((a, b) => a.streamId.localeCompare(b.streamId));
    return { streams: this.streams.size, events, broken, heads };
  }
}
