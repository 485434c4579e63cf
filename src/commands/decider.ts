import type { NewEvent } from '../events/envelope.ts';

/**
 * An aggregate as three pure functions (Chassaing's Decider): business rules and permission checks live in
 * `decide`, which throws an AppError when a rule is broken; `evolve` folds events into state.
 */
export interface Decider<Command, State, Event extends NewEvent> {
  initialState: State;
  evolve(state: State, event: Event): State;
  /**
   * Optional: folds a batch of events at once, with exactly the effect of `evolve` on each in order and, like it,
   * without changing `state`; for states whose copy-on-write costs O(size) per event (a revolt's member map), so
   * that a cold load is O(events), not O(events²). `fold` and the command handler use it when present.
   */
  evolveAll?(state: State, events: readonly Event[]): State;
  decide(command: Command, state: State): Event[];
}

export function fold<State, Event extends NewEvent>(
  decider: Pick<Decider<unknown, State, Event>, 'evolve' | 'evolveAll' | 'initialState'>,
  events: readonly Event[],
  from: State = decider.initialState,
): State {
  return decider.evolveAll ? decider.evolveAll(from, events) : events.reduce(decider.evolve, from);
}
