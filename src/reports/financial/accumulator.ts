import type { RecordedEvent } from '../../events/envelope.ts';
import { asDomainEvent } from '../../projections/event-types.ts';
import type { Accumulator, ReportFilters } from '../engine/accumulator.ts';
import { bucketOf, eventTime, inWindow, ratio, round, sortedKeys } from '../engine/time.ts';

/** Counts of one currency (or one revolt in one currency); amounts in minor units. */
interface Tally {
  pledged: number;
  completed: number;
  completedAmount: number;
  failed: number;
  refunds: number;
  refundedAmount: number;
}

export interface FinancialState {
  /** What a pledge said, for the later events of its donation that do not repeat it (a failure names neither). */
  pledges: Record<string, { revoltId: string; revoltName: string; currency: string }>;
  /** By currency. */
  totals: Record<string, Tally>;
  /** By `<period> <currency>`. */
  revenue: Record<string, { completedAmount: number; refundedAmount: number }>;
  /** By `<revoltId> <currency>`. */
  revolts: Record<string, Tally & { revoltName: string }>;
}

const emptyTally = (): Tally => ({ pledged: 0, completed: 0, completedAmount: 0, failed: 0, refunds: 0, refundedAmount: 0 });

function tallyOf<T>(record: Record<string, T>, key: string, make: () => T): T {
  return (record[key] ??= make());
}

/**
 * Folds donation events, each counted when recorded inside the window (and of the revolt asked for): a pledge, a
 * completion (money processed), a failure, a refund (money returned; one refund per DonationRefunded event).
 */
export function stepFinancial(state: FinancialState, recorded: RecordedEvent, filters: ReportFilters): FinancialState {
  const event = asDomainEvent(recorded);
  if (event.type === 'DonationPledged') {
    const d = event.data;
    if (filters.revoltId !== undefined && d.revoltId !== filters.revoltId) return state;
    state.pledges[d.donationId] = { revoltId: d.revoltId, revoltName: d.revoltName, currency: d.currency };
  }
  if (event.type !== 'DonationPledged' && event.type !== 'DonationCompleted' && event.type !== 'DonationFailed' && event.type !== 'DonationRefunded') return state;
  const pledge = state.pledges[event.data.donationId];
  if (!pledge || !inWindow(eventTime(event), filters)) return state;
  const total = tallyOf(state.totals, pledge.currency, emptyTally);
  const revolt = tallyOf(state.revolts, `${pledge.revoltId} ${pledge.currency}`, () => ({ ...emptyTally(), revoltName: pledge.revoltName }));
  const period = () => tallyOf(state.revenue, `${bucketOf(eventTime(event), filters.bucket)} ${pledge.currency}`, () => ({ completedAmount: 0, refundedAmount: 0 }));
  for (const tally of [total, revolt]) {
    switch (event.type) {
      case 'DonationPledged':
        tally.pledged += 1;
        break;
      case 'DonationCompleted':
        tally.completed += 1;
        tally.completedAmount += event.data.amount;
        break;
      case 'DonationFailed':
        tally.failed += 1;
        break;
      case 'DonationRefunded':
        tally.refunds += 1;
        tally.refundedAmount += event.data.amount;
        break;
    }
  }
  if (event.type === 'DonationCompleted') period().completedAmount += event.data.amount;
  if (event.type === 'DonationRefunded') period().refundedAmount += event.data.amount;
  return state;
}

const rates = (t: Tally) => ({
  paymentSuccessRate: ratio(t.completed, t.completed + t.failed),
  paymentFailureRate: ratio(t.failed, t.completed + t.failed),
  refundRate: ratio(t.refunds, t.completed),
});

/** The seed's financial metrics: money processed, average amount, funding per revolt, revenue over time, payment outcomes. */
export const financial: Accumulator<FinancialState> = {
  name: 'financial',
  title: 'Financial Metrics',
  description: 'Donations processed and refunded per currency, the average amount, payment success, failure and refund rates, revenue per period and funding per revolt.',
  timeAxis: true,
  version: 1,
  init: () => ({ pledges: {}, totals: {}, revenue: {}, revolts: {} }),
  step: stepFinancial,
  result(state) {
    const tallyColumns = [
      { key: 'pledged', label: 'Pledged', kind: 'integer' as const },
      { key: 'completed', label: 'Completed', kind: 'integer' as const },
      { key: 'failed', label: 'Failed', kind: 'integer' as const },
      { key: 'refunds', label: 'Refunds', kind: 'integer' as const },
      { key: 'totalProcessed', label: 'Processed', kind: 'cents' as const },
      { key: 'refundedAmount', label: 'Refunded', kind: 'cents' as const },
      { key: 'netAmount', label: 'Net', kind: 'cents' as const },
      { key: 'paymentSuccessRate', label: 'Payment success rate', kind: 'number' as const },
      { key: 'paymentFailureRate', label: 'Payment failure rate', kind: 'number' as const },
      { key: 'refundRate', label: 'Refund rate', kind: 'number' as const },
    ];
    const tallyRow = (t: Tally) => ({
      pledged: t.pledged,
      completed: t.completed,
      failed: t.failed,
      refunds: t.refunds,
      totalProcessed: t.completedAmount,
      refundedAmount: t.refundedAmount,
      netAmount: t.completedAmount - t.refundedAmount,
      ...rates(t),
    });
    return {
      tables: [
        {
          name: 'totals',
          title: 'Totals per currency',
          columns: [{ key: 'currency', label: 'Currency', kind: 'text' }, ...tallyColumns, { key: 'averageAmount', label: 'Average amount', kind: 'number' }],
          rows: sortedKeys(state.totals).map((currency) => {
            const t = state.totals[currency]!;
            return { currency, ...tallyRow(t), averageAmount: t.completed === 0 ? 0 : round(t.completedAmount / t.completed) };
          }),
        },
        {
          name: 'revenue',
          title: 'Revenue per period',
          columns: [
            { key: 'period', label: 'Period', kind: 'text' },
            { key: 'currency', label: 'Currency', kind: 'text' },
            { key: 'processed', label: 'Processed', kind: 'cents' },
            { key: 'refunded', label: 'Refunded', kind: 'cents' },
            { key: 'net', label: 'Net', kind: 'cents' },
          ],
          rows: sortedKeys(state.revenue).map((key) => {
            const [period, currency] = key.split(' ') as [string, string];
            const r = state.revenue[key]!;
            return { period, currency, processed: r.completedAmount, refunded: r.refundedAmount, net: r.completedAmount - r.refundedAmount };
          }),
        },
        {
          name: 'fundingByRevolt',
          title: 'Funding per revolt',
          columns: [{ key: 'revoltId', label: 'Revolt id', kind: 'text' }, { key: 'revoltName', label: 'Revolt', kind: 'text' }, { key: 'currency', label: 'Currency', kind: 'text' }, ...tallyColumns],
          rows: sortedKeys(state.revolts).map((key) => {
            const [revoltId, currency] = key.split(' ') as [string, string];
            const t = state.revolts[key]!;
            return { revoltId, revoltName: t.revoltName, currency, ...tallyRow(t) };
          }),
        },
      ],
      charts: [
        { title: 'Net revenue per period', table: 'revenue', kind: 'bar', x: 'period', series: ['net'], splitBy: 'currency' },
        { title: 'Payment outcomes per currency', table: 'totals', kind: 'bar', x: 'currency', series: ['completed', 'failed', 'refunds'] },
      ],
    };
  },
};
