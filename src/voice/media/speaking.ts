// Speaking detection: mediasoup's AudioLevelObserver says, every interval, which mics are above a threshold. Raw,
// that flickers with every breath; each change would be an event in the store. A user's reported state only follows
// the raw one once it has held for `holdMs`, and never twice within `minGapMs`. Pure (time is passed in).
import type { SpeakingOptions } from './types.ts';

export const DEFAULT_SPEAKING: SpeakingOptions = { thresholdDb: -55, intervalMs: 200, holdMs: 300, minGapMs: 500 };

interface UserState {
  raw: boolean;
  rawSince: number;
  reported: boolean;
  reportedAt: number;
}

export interface SpeakingChange {
  userId: string;
  speaking: boolean;
}

export class SpeakingDebouncer {
  private readonly users = new Map<string, UserState>();

  constructor(private readonly options: Pick<SpeakingOptions, 'holdMs' | 'minGapMs'>) {}

  /** One observation: the users in `speaking` are above the threshold, every other known one is not. */
  observe(speaking: ReadonlySet<string>, now: number): void {
    for (const userId of speaking) if (!this.users.has(userId)) this.users.set(userId, { raw: false, rawSince: now, reported: false, reportedAt: -Infinity });
    for (const [userId, state] of this.users) {
      const raw = speaking.has(userId);
      if (raw !== state.raw) {
        state.raw = raw;
        state.rawSince = now;
      }
    }
  }

  /** The reported changes that are due at `now` (apply them: they are now the reported state). */
  flush(now: number): SpeakingChange[] {
    const changes: SpeakingChange[] = [];
    for (const [userId, state] of this.users) {
      if (state.raw === state.reported || this.dueAt(state) > now) continue;
      state.reported = state.raw;
      state.reportedAt = now;
      changes.push({ userId, speaking: state.raw });
    }
    return changes;
  }

  /** When flush() next has something to report, if anything is pending. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const state of this.users.values()) {
      if (state.raw === state.reported) continue;
      const due = this.dueAt(state);
      if (next === undefined || due < next) next = due;
    }
    return next;
  }

  /** The user's mic stopped (paused, closed, left): true if they were reported speaking (report false now). */
  forget(userId: string): boolean {
    const state = this.users.get(userId);
    this.users.delete(userId);
    return state?.reported ?? false;
  }

  private dueAt(state: UserState): number {
    return Math.max(state.rawSince + this.options.holdMs, state.reportedAt + this.options.minGapMs);
  }
}
