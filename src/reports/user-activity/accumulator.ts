import type { Accumulator, Column } from '../engine/accumulator.ts';
import { listedUsers, mostActive, stepUserLedger, type LedgerUser, type UserLedger } from './ledger.ts';

export const CHART_USERS = 20;

export const userColumns: Column[] = [
  { key: 'userId', label: 'User id', kind: 'text' },
  { key: 'username', label: 'Username', kind: 'text' },
  { key: 'userType', label: 'User type', kind: 'text' },
  { key: 'joinedAt', label: 'Joined', kind: 'date' },
  { key: 'revoltsJoined', label: 'Revolts joined', kind: 'integer' },
  { key: 'messagesSent', label: 'Messages sent', kind: 'integer' },
  { key: 'lastSeen', label: 'Last seen', kind: 'date' },
];

/** A user's row of User Activity. */
export const activityRow = ([userId, u]: [string, LedgerUser]) => ({
  userId,
  username: u.username,
  userType: u.userType,
  joinedAt: u.joinedAt,
  revoltsJoined: u.joined.length,
  messagesSent: u.messagesSent,
  lastSeen: u.lastSeen,
});

/** The seed's "User Activity" pipeline: per user, username, type, joined, revolts joined, messages sent, last seen. */
export const userActivity: Accumulator<UserLedger> = {
  name: 'user-activity',
  title: 'User Activity',
  description: 'Per user: username, user type, when they joined, revolts joined, messages sent and when they were last seen.',
  timeAxis: false,
  version: 1,
  init: () => ({}),
  step: stepUserLedger,
  result(users, filters) {
    const listed = listedUsers(users, filters);
    return {
      tables: [
        { name: 'users', title: 'Users', columns: userColumns, rows: listed.map(activityRow) },
        { name: 'mostActive', title: `The ${CHART_USERS} users who sent the most messages`, columns: userColumns, rows: mostActive(listed, CHART_USERS).map(activityRow) },
      ],
      charts: [{ title: 'Messages sent by the most active users', table: 'mostActive', kind: 'bar', x: 'username', series: ['messagesSent', 'revoltsJoined'] }],
    };
  },
};
