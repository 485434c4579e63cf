import { randomUUID } from 'node:crypto';
import type { EventCatalogue } from '../events/catalogue.ts';
import type { EventToAppend, NewEvent, RecordedEvent } from '../events/envelope.ts';
import { WrongExpectedRevisionError, type EventStore, type ExpectedRevision } from '../events/store/port.ts';
import { fold, type Decider } from './decider.ts';
import { conflict } from './errors.ts';
import { keyedQueue } from './keyed-queue.ts';
import type { RequestIds } from './request-ids.ts';

export interface CommandContext {
  actorId: string | null;
  correlationId: string;
  causationId: string;
  /**
   * A request with an `Idempotency-Key`: its event ids are derived from the key, so an append an earlier attempt
   * already made (before a crash, or by a concurrent twin) is recognised instead of applied again.
   */
  ids?: RequestIds;
}

export interface Loaded<State> {
  state: State;
  /** Revision of the stream's last event, or -1 when the stream does not exist. */
  revision: number;
}

export interface CommandResult<State> extends Loaded<State> {
  /** The appended events with their positions; empty when the decider decided nothing. */
  events: RecordedEvent[];
  /** Global position of the last appended event, or null when nothing was appended. */
  position: number | null;
  /** The request had made this append before (see CommandContext.ids): the result is as of that append. */
  alreadyApplied?: boolean;
}

/** The most events one decision appends; bounds the read that recognises an earlier append. */
const LARGEST_APPEND = 1000;

/**
 * Stamps the events about to be appended to `streamId`, given the stream's event at the expected revision (null
 * for a new stream): e.g. hash chaining. Called again on each retry, with the then-current predecessor.
 */
export type AppendSealer = (events: EventToAppend[], previous: RecordedEvent | null, streamId: string) => void;

export interface ExecuteOptions {
  expected?: 'no_stream';
  seal?: AppendSealer;
}

export interface CommandObserver {
  onAppend?(streamId: string, seconds: number, events: number): void;
  onConflict?(streamId: string): void;
}

export interface CommandHandlerOptions {
  /** Validates and versions the events appended, upcasts the events loaded. */
  catalogue: EventCatalogue;
  maxRetries?: number;
  cacheSize?: number;
  observer?: CommandObserver;
}

interface CacheEntry {
  decider: unknown;
  state: unknown;
  revision: number;
}

/**
 * Load → decide → append with the expected revision → retry on conflict. States are cached with their
 * revision and topped up by reading only newer events, so hot streams stay cheap; a conflict always drops the
 * cached entry, so a stale cache never wins over the store. Commands on one stream are serialised within the
 * process, so conflicts only arise between processes.
 */
export class CommandHandler {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly serialised = keyedQueue();

  constructor(
    private readonly store: EventStore,
    private readonly options: CommandHandlerOptions,
  ) {}

  async load<S, E extends NewEvent>(streamId: string, decider: Decider<unknown, S, E>): Promise<Loaded<S>> {
    const cached = this.cache.get(streamId);
    let state = decider.initialState;
    let revision = -1;
    if (cached && cached.decider === decider) {
      state = cached.state as S;
      revision = cached.revision;
    }
    const newer = await this.store.readStream(streamId, { fromRevision: revision + 1 });
    state = fold(decider, newer.map((event) => this.options.catalogue.upcast(event) as unknown as E), state);
    revision = newer.at(-1)?.revision ?? revision;
    this.remember(streamId, decider, state, revision);
    return { state, revision };
  }

  /**
   * Runs `decide` against the current state of `streamId` and appends what it returns. `command` may be a
   * function of the state for commands whose content depends on it. `expected: 'no_stream'` makes creation
   * commands fail with a conflict rather than retry when the stream already exists. `seal` stamps the events
   * once their predecessor is known (hash-chained streams).
   */
  execute<C, S, E extends NewEvent>(
    streamId: string,
    decider: Decider<C, S, E>,
    command: C,
    context: CommandContext,
    options: ExecuteOptions = {},
  ): Promise<CommandResult<S>> {
    return this.serialised(streamId, () => this.decideAndAppend(streamId, decider, command, context, options));
  }

  private async decideAndAppend<C, S, E extends NewEvent>(
    streamId: string,
    decider: Decider<C, S, E>,
    command: C,
    context: CommandContext,
    options: ExecuteOptions,
  ): Promise<CommandResult<S>> {
    const maxRetries = this.options.maxRetries ?? 8;
    const eventIds = context.ids?.nextAppend(streamId);
    if (eventIds && context.ids?.resumed) {
      const applied = await this.appliedEarlier(streamId, decider, eventIds);
      if (applied) return applied;
    }
    for (let attempt = 0; ; attempt++) {
      // A creation needs no read: the stream should not exist, and the append's expectation checks that it doesn't.
      const { state, revision } =
        options.expected === 'no_stream' && attempt === 0
          ? { state: decider.initialState, revision: -1 }
          : await this.load(streamId, decider as Decider<unknown, S, E>);
      const decided = decider.decide(command, state);
      if (decided.length === 0) return { state, revision, events: [], position: null };
      const toAppend = decided.map((event, i) => this.envelope(event, context, eventIds?.(i)));
      if (options.seal) {
        const previous = revision === -1 ? [] : await this.store.readStream(streamId, { fromRevision: revision, maxCount: 1 });
        options.seal(toAppend, previous[0] ?? null, streamId);
      }
      const expected: ExpectedRevision = options.expected ?? (revision === -1 ? 'no_stream' : revision);
      try {
        const started = performance.now();
        const result = await this.store.appendToStream(streamId, toAppend, expected);
        this.options.observer?.onAppend?.(streamId, (performance.now() - started) / 1000, toAppend.length);
        const firstRevision = result.nextExpectedRevision - toAppend.length + 1;
        const firstPosition = result.position - toAppend.length + 1;
        const events: RecordedEvent[] = toAppend.map((event, i) => ({
          ...event,
          streamId,
          revision: firstRevision + i,
          // Positions of one batch are consecutive in every adapter but KurrentDB; only the last is relied on.
          position: i === toAppend.length - 1 ? result.position : firstPosition + i,
        }));
        const newState = fold(decider, decided, state);
        this.remember(streamId, decider, newState, result.nextExpectedRevision);
        return { state: newState, revision: result.nextExpectedRevision, events, position: result.position };
      } catch (error) {
        // A twin of this request (same ids) may have appended first: refused by the expected revision or by the id.
        const applied = eventIds ? await this.appliedEarlier(streamId, decider, eventIds).catch(() => null) : null;
        if (applied) return applied;
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.cache.delete(streamId);
        this.options.observer?.onConflict?.(streamId);
        if (options.expected === 'no_stream') throw conflict('already_exists', `${streamId} already exists`);
        if (attempt >= maxRetries) {
          throw conflict('concurrency_conflict', `too many concurrent changes to ${streamId}; retry the request`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
      }
    }
  }

  /**
   * The result of the append whose first event has id eventIds(0), if the stream holds it: the state folded up to
   * that append's last event, and the append's events (the consecutive ones whose ids follow eventIds).
   */
  private async appliedEarlier<C, S, E extends NewEvent>(
    streamId: string,
    decider: Decider<C, S, E>,
    eventIds: (index: number) => string,
  ): Promise<CommandResult<S> | null> {
    const first = await this.store.readEventById(streamId, eventIds(0));
    if (!first) return null;
    const history = await this.store.readStream(streamId, { maxCount: first.revision + LARGEST_APPEND });
    const folded: RecordedEvent[] = [];
    for (const event of history) {
      const inAppend = event.revision >= first.revision;
      if (inAppend && event.id !== eventIds(event.revision - first.revision)) break;
      folded.push(event);
    }
    const state = fold(decider, folded.map((event) => this.options.catalogue.upcast(event) as unknown as E));
    const events = folded.filter((event) => event.revision >= first.revision);
    const last = events.at(-1)!;
    return { state, revision: last.revision, events, position: last.position, alreadyApplied: true };
  }

  private envelope(event: NewEvent, context: CommandContext, id: string = randomUUID()): EventToAppend {
    this.options.catalogue.assertValid(event.type, event.data);
    return {
      id,
      type: event.type,
      data: event.data,
      metadata: {
        correlationId: context.correlationId,
        causationId: context.causationId,
        actorId: context.actorId,
        occurredAt: new Date().toISOString(),
        schemaVersion: this.options.catalogue.schemaVersionOf(event.type),
      },
    };
  }

  private remember(streamId: string, decider: unknown, state: unknown, revision: number): void {
    if (revision < 0) return;
    this.cache.delete(streamId);
    this.cache.set(streamId, { decider, state, revision });
    const limit = this.options.cacheSize ?? 10_000;
    if (this.cache.size > limit) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
