import type { RecordedEvent } from '../../events/envelope.ts';
import { asDomainEvent } from '../../projections/event-types.ts';
import type { Accumulator, ReportFilters } from '../engine/accumulator.ts';
import { bucketOf, eventTime, inWindow, ratio, round, sortedKeys } from '../engine/time.ts';
import { currencyLabel } from '../shared/currency.ts';

interface Period {
  joins: number;
  leaves: number;
  messages: number;
  voiceMs: number;
  completed: number;
  failed: number;
  /** Completed minus refunded minor units. */
  raised: number;
  currencies: string[];
}

interface RevoltPerformance {
  name: string;
  /** Members before the window (joins and leaves recorded before `from`). */
  membersBefore: number;
  periods: Record<string, Period>;
}

export interface PerformanceState {
  revolts: Record<string, RevoltPerformance>;
  /** Each pledge's revolt, for the failures that do not name it. */
  pledges: Record<string, string>;
}

const emptyPeriod = (): Period => ({ joins: 0, leaves: 0, messages: 0, voiceMs: 0, completed: 0, failed: 0, raised: 0, currencies: [] });

/** The revolt an event concerns (a failure through its pledge), or undefined. */
function revoltOf(state: PerformanceState, event: ReturnType<typeof asDomainEvent>): string | undefined {
  if (event.type === 'DonationFailed') return state.pledges[event.data.donationId];
  return 'revoltId' in event.data ? event.data.revoltId : undefined;
}

/**
 * Per revolt and period: members joining and leaving (a leave, a kick or a ban of a member), messages (the revolt's
 * own system messages aside), voice time by the end of each stay, donations completed and failed, money raised net
 * of refunds. Deleted revolts are dropped. Joins and leaves before the window set the members the window starts with.
 */
export function stepPerformance(state: PerformanceState, recorded: RecordedEvent, filters: ReportFilters): PerformanceState {
  const event = asDomainEvent(recorded);
  const revoltId = revoltOf(state, event);
  if (revoltId === undefined || (filters.revoltId !== undefined && revoltId !== filters.revoltId)) return state;
  if (event.type === 'RevoltCreated') {
    state.revolts[revoltId] = { name: event.data.name, membersBefore: 0, periods: {} };
    return state;
  }
  if (event.type === 'DonationPledged') state.pledges[event.data.donationId] = revoltId;
  const revolt = state.revolts[revoltId];
  if (!revolt) return state;
  if (event.type === 'RevoltDeleted') {
    delete state.revolts[revoltId];
    return state;
  }
  if (event.type === 'RevoltUpdated' && event.data.changes.name !== undefined) revolt.name = event.data.changes.name;
  const at = eventTime(event);
  const membership = event.type === 'MemberJoined' ? 1 : event.type === 'MemberLeft' || event.type === 'MemberKicked' || (event.type === 'MemberBanned' && event.data.wasMember) ? -1 : 0;
  if (!inWindow(at, filters)) {
    if (filters.from !== undefined && Date.parse(at) < Date.parse(filters.from)) revolt.membersBefore += membership;
    return state;
  }
  const period = () => (revolt.periods[bucketOf(at, filters.bucket)] ??= emptyPeriod());
  if (membership === 1) period().joins += 1;
  if (membership === -1) period().leaves += 1;
  switch (event.type) {
    case 'MessageSent':
      if (event.data.type !== 'system') period().messages += 1;
      break;
    case 'VoiceParticipantLeft':
      period().voiceMs += event.data.durationMs;
      break;
    case 'DonationFailed':
      period().failed += 1;
      break;
    case 'DonationCompleted':
    case 'DonationRefunded': {
      const p = period();
      if (event.type === 'DonationCompleted') p.completed += 1;
      p.raised += event.type === 'DonationCompleted' ? event.data.amount : -event.data.amount;
      if (!p.currencies.includes(event.data.currency)) p.currencies = [...p.currencies, event.data.currency].sort();
      break;
    }
  }
  return state;
}

/** Revolt performance: member growth, message activity, voice usage and donation success per revolt and period. */
export const revoltPerformance: Accumulator<PerformanceState> = {
  name: 'revolt-performance',
  title: 'Revolt Performance',
  description: 'Per revolt and period: members joining and leaving and the growth rate, messages, voice minutes, donations completed and failed, the donation success rate and money raised.',
  timeAxis: true,
  version: 1,
  init: () => ({ revolts: {}, pledges: {} }),
  step: stepPerformance,
  result(state) {
    const rows = sortedKeys(state.revolts).flatMap((revoltId) => {
      const revolt = state.revolts[revoltId]!;
      let members = revolt.membersBefore;
      return sortedKeys(revolt.periods).map((period) => {
        const p = revolt.periods[period]!;
        const membersAtStart = members;
        members += p.joins - p.leaves;
        return {
          revoltId,
          name: revolt.name,
          period,
          membersAtStart,
          joins: p.joins,
          leaves: p.leaves,
          membersAtEnd: members,
          growthRate: ratio(p.joins - p.leaves, membersAtStart),
          messages: p.messages,
          voiceMinutes: round(p.voiceMs / 60_000),
          donations: p.completed,
          failedPayments: p.failed,
          donationSuccessRate: ratio(p.completed, p.completed + p.failed),
          raised: p.raised,
          currency: currencyLabel(p.currencies),
        };
      });
    });
    return {
      tables: [
        {
          name: 'periods',
          title: 'Per revolt and period',
          columns: [
            { key: 'revoltId', label: 'Revolt id', kind: 'text' },
            { key: 'name', label: 'Revolt', kind: 'text' },
            { key: 'period', label: 'Period', kind: 'text' },
            { key: 'membersAtStart', label: 'Members at start', kind: 'integer' },
            { key: 'joins', label: 'Joined', kind: 'integer' },
            { key: 'leaves', label: 'Left', kind: 'integer' },
            { key: 'membersAtEnd', label: 'Members at end', kind: 'integer' },
            { key: 'growthRate', label: 'Growth rate', kind: 'number' },
            { key: 'messages', label: 'Messages', kind: 'integer' },
            { key: 'voiceMinutes', label: 'Voice minutes', kind: 'number' },
            { key: 'donations', label: 'Donations', kind: 'integer' },
            { key: 'failedPayments', label: 'Failed payments', kind: 'integer' },
            { key: 'donationSuccessRate', label: 'Donation success rate', kind: 'number' },
            { key: 'raised', label: 'Raised (net)', kind: 'cents' },
            { key: 'currency', label: 'Currency', kind: 'text' },
          ],
          rows,
        },
      ],
      charts: [
        { title: 'Members at the end of each period', table: 'periods', kind: 'line', x: 'period', series: ['membersAtEnd'], splitBy: 'name' },
        { title: 'Messages per period', table: 'periods', kind: 'bar', x: 'period', series: ['messages'], splitBy: 'name' },
      ],
    };
  },
};
