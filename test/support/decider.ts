import { expect } from 'vitest';
import { fold, type Decider } from '../../src/commands/decider.ts';
import { AppError } from '../../src/commands/errors.ts';
import type { NewEvent } from '../../src/events/envelope.ts';

/** given(decider, past events).when(command).then(expected events) or .thenFails(status, code). */
export function given<C, S, E extends NewEvent>(decider: Decider<C, S, E>, history: E[] = []) {
  const state = fold(decider, history);
  return {
    state,
    when(command: C) {
      const run = () => decider.decide(command, state);
      return {
        then(expected: E[] | ((events: E[]) => void)) {
          const events = run();
          if (typeof expected === 'function') expected(events);
          else expect(events).toEqual(expected);
          return events;
        },
        thenFails(status: number, code: string) {
          let caught: unknown;
          try {
            run();
          } catch (error) {
            caught = error;
          }
          expect(caught, 'the decider should have refused').toBeInstanceOf(AppError);
          expect({ status: (caught as AppError).status, code: (caught as AppError).code }).toEqual({ status, code });
        },
      };
    },
  };
}
