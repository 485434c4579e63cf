import type { Accumulator } from '../engine/accumulator.ts';
import { currencyLabel } from '../shared/currency.ts';
import { activityRow, CHART_USERS, userColumns } from './accumulator.ts';
import { listedUsers, mostActive, stepUserLedger, type LedgerUser, type UserLedger } from './ledger.ts';

/** The seed's "User Activity Report": User Activity plus total donated, donation count and message count. */
export const userActivityReport: Accumulator<UserLedger> = {
  name: 'user-activity-report',
  title: 'User Activity Report',
  description: 'User Activity plus, per user, the money donated (completed minus refunded), the donations completed and the messages counted.',
  timeAxis: false,
  version: 1,
  init: () => ({}),
  step: stepUserLedger,
  result(users, filters) {
    const listed = listedUsers(users, filters);
    const columns = [
      ...userColumns,
      { key: 'totalDonated', label: 'Donated', kind: 'cents' as const },
      { key: 'currency', label: 'Currency', kind: 'text' as const },
      { key: 'donationCount', label: 'Donations', kind: 'integer' as const },
      { key: 'messageCount', label: 'Messages', kind: 'integer' as const },
    ];
    const row = (entry: [string, LedgerUser]) => ({
      ...activityRow(entry),
      totalDonated: entry[1].totalDonated,
      currency: currencyLabel(entry[1].currencies),
      donationCount: entry[1].donationCount,
      messageCount: entry[1].messagesSent,
    });
    return {
      tables: [
        { name: 'users', title: 'Users', columns, rows: listed.map(row) },
        { name: 'mostActive', title: `The ${CHART_USERS} users who sent the most messages`, columns, rows: mostActive(listed, CHART_USERS).map(row) },
      ],
      charts: [{ title: 'Messages and donations of the most active users', table: 'mostActive', kind: 'bar', x: 'username', series: ['messageCount', 'donationCount'] }],
    };
  },
};
