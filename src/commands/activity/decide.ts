import type { Decider } from '../decider.ts';
import type { ActivityEvent } from './events.ts';

/** Moves the clock to `asOf` (an ISO time). */
export interface AdvanceActivityWindow {
  type: 'AdvanceActivityWindow';
  asOf: string;
}

/** The clock's time: the last `asOf` recorded, or null before the first. */
export interface ActivityClockState {
  asOf: string | null;
}

/**
 * The activity clock only moves forward: an `asOf` not after the current one (a twin job of the same slot, a
 * late one) records nothing.
 */
export const activityClockDecider: Decider<AdvanceActivityWindow, ActivityClockState, ActivityEvent> = {
  initialState: { asOf: null },
  evolve: (_, event) => ({ asOf: event.data.asOf }),
  decide(command, state) {
    if (state.asOf !== null && Date.parse(command.asOf) <= Date.parse(state.asOf)) return [];
    return [{ type: 'ActivityWindowAdvanced', data: { asOf: command.asOf } }];
  },
};

export const ACTIVITY_CLOCK_STREAM = 'activity-clock';

/** How far back activity counts: a member is active who sent a message or was in voice in the last 30 days. */
export const ACTIVE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
