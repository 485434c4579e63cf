import type { Decider } from '../commands/decider.ts';
import type { CommandResult } from '../commands/handler.ts';
import type { NewEvent, RecordedEvent } from '../events/envelope.ts';

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
  react(event: RecordedEvent & Event, issue: Issue): Promise<void>;
}
