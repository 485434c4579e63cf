import { revoltStream } from '../commands/revolts/decide.ts';
import type { RevoltEvent } from '../commands/revolts/events.ts';
import { evolveRevolt, evolveRevoltBatch, initialRevoltState, type RevoltState } from '../commands/revolts/state.ts';
import type { EventCatalogue } from '../events/catalogue.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import type { EventStore } from '../events/store/port.ts';

const REVOLT_STREAM_PREFIX = revoltStream('');

interface Tracked {
  state: RevoltState;
  /** Revision of the last event folded in (-1: none). */
  revision: number;
}

/** The revolt a revolt-stream event belongs to, or undefined for an event of another stream. */
export function revoltOfEvent(event: RecordedEvent): string | undefined {
  return event.streamId.startsWith(REVOLT_STREAM_PREFIX) ? event.streamId.slice(REVOLT_STREAM_PREFIX.length) : undefined;
}

/**
 * Revolt aggregates as of one global position: the permission state that decides who sees what. A gateway node
 * keeps one for the revolts its sessions belong to, a RESUME builds its own for the session being replayed.
 * Both load a revolt by folding its stream up to a position and then advance it with the revolt's events as they
 * pass in the global order, so the two agree on every event's audience.
 */
export class RevoltWorld {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly store: EventStore,
    private readonly catalogue: EventCatalogue,
  ) {}

  has(revoltId: string): boolean {
    return this.tracked.has(revoltId);
  }

  get(revoltId: string): RevoltState | undefined {
    return this.tracked.get(revoltId)?.state;
  }

  drop(revoltId: string): void {
    this.tracked.delete(revoltId);
  }

  /** Takes over another world's revolt (both at the same position). */
  adopt(from: RevoltWorld, revoltId: string): void {
    const entry = from.tracked.get(revoltId);
    if (entry) this.tracked.set(revoltId, entry);
  }

  /** (Re)loads a revolt as it was right after the event at `position` (every event at or before it). */
  async load(revoltId: string, position: number): Promise<RevoltState> {
    const upTo = (await this.store.readStream(revoltStream(revoltId))).filter((event) => event.position <= position);
    // One batch: folding a big revolt event by event would copy its member map on every join (quadratic).
    const state = evolveRevoltBatch(initialRevoltState, upTo.map((event) => this.catalogue.upcast(event) as unknown as RevoltEvent));
    const revision = upTo.at(-1)?.revision ?? -1;
    this.tracked.set(revoltId, { state, revision });
    return state;
  }

  /**
   * Folds a revolt-stream event into its tracked revolt; returns the state after it, or undefined when the revolt
   * is not tracked or the event was already folded in. A gap in revisions (never expected: events arrive in order)
   * reloads the revolt up to the event.
   */
  async advance(event: RecordedEvent, revoltId: string): Promise<RevoltState | undefined> {
    const entry = this.tracked.get(revoltId);
    if (!entry) return undefined;
    if (event.revision <= entry.revision) return undefined;
    if (event.revision !== entry.revision + 1) return this.load(revoltId, event.position);
    const state = evolveRevolt(entry.state, event as unknown as RevoltEvent);
    this.tracked.set(revoltId, { state, revision: event.revision });
    return state;
  }
}
