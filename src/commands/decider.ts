import type { NewEvent } from '../events/envelope.ts';

/**
 * An aggregate as three pure functions (Chassaing's Decider): business rules and permission checks live in
 * `decide`, which throws an AppError when a rule is broken; `evolve` folds events into state.
 */
export interface Decider<Command, State, Event extends NewEvent> {
  initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

export function fold<State, Event extends NewEvent>(
  decider: Pick<Decider<unknown, State, Event>, 'evolve' | 'initialState'>,
  events: readonly Event[],
  from: State = decider.initialState,
): State {
  return events.reduce(decider.evolve, from);
}
