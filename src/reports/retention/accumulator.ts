import type { RecordedEvent } from '../../events/envelope.ts';
import { asDomainEvent } from '../../projections/event-types.ts';
import type { Accumulator, ReportFilters } from '../engine/accumulator.ts';
import { eventTime, inWindow, ratio, sortedKeys, weekOf, weeksBetween } from '../engine/time.ts';

export interface RetentionState {
  /** Each user's cohort: the Monday of the week of their first join (in scope, in the window). */
  cohortOf: Record<string, string>;
  /** The weeks (Mondays) in which each user of a cohort was active, from their cohort's week on, ascending. */
  activeWeeks: Record<string, string[]>;
}

const inScope = (revoltId: string, filters: ReportFilters) => filters.revoltId === undefined || revoltId === filters.revoltId;

/**
 * Weekly join cohorts: a user joins the cohort of the week of their first join in scope; they are active in a week
 * when they sent a (non-system) message or joined a voice channel in scope that week. Both counted in the window.
 */
export function stepRetention(state: RetentionState, recorded: RecordedEvent, filters: ReportFilters): RetentionState {
  const event = asDomainEvent(recorded);
  const at = eventTime(event);
  if (!inWindow(at, filters)) return state;
  let userId: string;
  if (event.type === 'MemberJoined') {
    if (!inScope(event.data.revoltId, filters)) return state;
    userId = event.data.userId;
    state.cohortOf[userId] ??= weekOf(at);
  } else if (event.type === 'MessageSent' && event.data.type !== 'system') {
    if (!inScope(event.data.revoltId, filters)) return state;
    userId = event.data.authorId;
  } else if (event.type === 'VoiceParticipantJoined') {
    if (!inScope(event.data.revoltId, filters)) return state;
    userId = event.data.userId;
  } else {
    return state;
  }
  if (state.cohortOf[userId] === undefined) return state;
  const weeks = (state.activeWeeks[userId] ??= []);
  const week = weekOf(at);
  if (!weeks.includes(week)) {
    weeks.push(week);
    weeks.sort();
  }
  return state;
}

/** Revolt performance: retention as weekly join cohorts (of those who joined in week W, how many were active in each later week). */
export const retention: Accumulator<RetentionState> = {
  name: 'retention',
  title: 'Retention by weekly join cohort',
  description: 'Of the users who first joined in week W, how many were active (a message or a voice join) in W and each later week.',
  timeAxis: false,
  version: 1,
  init: () => ({ cohortOf: {}, activeWeeks: {} }),
  step: stepRetention,
  result(state) {
    const sizes: Record<string, number> = {};
    const active: Record<string, Record<number, number>> = {};
    for (const userId of sortedKeys(state.cohortOf)) {
      const cohort = state.cohortOf[userId]!;
      sizes[cohort] = (sizes[cohort] ?? 0) + 1;
      const byOffset = (active[cohort] ??= {});
      for (const week of state.activeWeeks[userId] ?? []) {
        const offset = weeksBetween(cohort, week);
        byOffset[offset] = (byOffset[offset] ?? 0) + 1;
      }
    }
    const last = Object.values(state.activeWeeks).flat().concat(Object.values(state.cohortOf)).sort().at(-1);
    const rows = sortedKeys(sizes).flatMap((cohort) => {
      const span = last === undefined ? 0 : weeksBetween(cohort, last);
      return Array.from({ length: span + 1 }, (_, offset) => {
        const count = active[cohort]![offset] ?? 0;
        return { cohortWeek: cohort, weekOffset: offset, cohortSize: sizes[cohort]!, active: count, retention: ratio(count, sizes[cohort]!) };
      });
    });
    return {
      tables: [
        {
          name: 'cohorts',
          title: 'Weekly join cohorts',
          columns: [
            { key: 'cohortWeek', label: 'Cohort (week starting)', kind: 'text' },
            { key: 'weekOffset', label: 'Weeks after joining', kind: 'integer' },
            { key: 'cohortSize', label: 'Cohort size', kind: 'integer' },
            { key: 'active', label: 'Active', kind: 'integer' },
            { key: 'retention', label: 'Retention', kind: 'number' },
          ],
          rows,
        },
      ],
      charts: [{ title: 'Retention per cohort by weeks after joining', table: 'cohorts', kind: 'line', x: 'weekOffset', series: ['retention'], splitBy: 'cohortWeek' }],
    };
  },
};
