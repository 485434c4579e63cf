import type { Decider } from '../commands/decider.ts';
import type { CommandResult, Loaded } from '../commands/handler.ts';
import type { EventMetadata, NewEvent, RecordedEvent } from '../events/envelope.ts';
import type { LaneFamily } from '../projections/engine/family.ts';
import type { CollectionSpec, ProjectionContext } from '../projections/engine/read-model.ts';

/**
 * Runs one command through the CommandHandler in answer to the event being reacted to, with that event as its
 * causation. Its event ids derive from the reactor, the event, the stream and the n-th command to that stream for
 * this event, so the same command issued again (the event redelivered, replayed, or reacted to again after a crash
 * between the command's append and the lane's checkpoint) finds its first append instead of applying twice.
 */
export type Issue = <Command, State, Event extends NewEvent>(
  streamId: string,
  decider: Decider<Command, State, Event>,
  command: Command,
) => Promise<CommandResult<State>>;

/** Loads a stream's state through the command handler (cached), for what a reaction decides on. */
export type Load = <State, Event extends NewEvent>(streamId: string, decider: Decider<unknown, State, Event>) => Promise<Loaded<State>>;

/**
 * A process manager: it follows the event store in an ordered lane from a checkpoint, as a read model does, and
 * answers the events it `handles` (already upcast) with commands. `react` must issue the same commands, in the same
 * order, each time it is given the same event. A command that decided nothing appended nothing to be found again:
 * given the event again, it is decided again against the state of then, so it must be right whenever it runs (a
 * sweep that removes whoever still lacks access). A refused command stops the lane until `resume` (nothing is
 * skipped): catch the refusals that are a normal outcome.
 */
export interface Reactor<Event extends NewEvent = NewEvent> {
  /** Names its lane and checkpoint, and seeds its commands' ids: a reactor that has run keeps its name. */
  name: string;
  handles: readonly Event['type'][];
  react(event: RecordedEvent & Event, issue: Issue, load: Load): Promise<void>;
}

/** What a command answers: an event, or what was kept of one (its id, correlation and time). */
export type Cause = Pick<RecordedEvent, 'id'> & { metadata: Pick<EventMetadata, 'correlationId' | 'occurredAt'> };

/**
 * The Issue for commands answering `cause`. With a `key`, the commands' ids are seeded by the key as well: commands
 * told apart by key keep their ids whatever else is issued for the same cause (one per achievement, say, when the
 * catalogue grew between two deliveries of the event), instead of depending on the order they were issued in.
 */
export type Issuing = (cause: Cause, key?: string) => Issue;

/** What a reactor with a memory works with. */
export interface ReactorTools {
  issuing: Issuing;
  /** Loads a stream's state through the command handler, for what a reaction decides on. */
  load: Load;
  /** Its collections: the live ones, or a rebuild's fresh ones. */
  ctx: ProjectionContext;
}

/**
 * A reactor that remembers between events (counters, say). Its memory lives in `collections`, which its lane
 * writes as a read model writes its own, every write guarded by position, so a redelivered or replayed run changes
 * nothing; a rebuild replays it from position 0 into fresh collections. It is given each job's run of the events it
 * handles at once. What `Reactor` says of `react` holds for `reactRun`: the same events, the same commands, each
 * right whenever it runs.
 */
export interface ReactorWithMemory<Event extends NewEvent = NewEvent> {
  name: string;
  handles: readonly Event['type'][];
  collections: CollectionSpec[];
  /** Where its lane starts when first registered: `first-event` when its memory must hold the whole history. */
  startsAt: LaneFamily['startsAt'];
  reactRun(events: readonly (RecordedEvent & Event)[], tools: ReactorTools): Promise<void>;
  /**
   * Run once by each process that starts the reactor's worker, beside its lane, on the live collections (a sweep
   * over its memory, for what the lane alone would only do at the user's next event). It must stop soon after
   * `signal` aborts, and be right whenever and however often it runs.
   */
  sweep?(tools: ReactorTools, signal: AbortSignal): Promise<void>;
}

export type AnyReactor = Reactor | ReactorWithMemory;
