import { describe, expect, it } from 'vitest';
import { engagement } from '../../src/reports/engagement/accumulator.ts';
import { financial } from '../../src/reports/financial/accumulator.ts';
import { retention } from '../../src/reports/retention/accumulator.ts';
import { revoltPerformance } from '../../src/reports/revolt-performance/accumulator.ts';
import { revoltStatistics } from '../../src/reports/revolt-statistics/accumulator.ts';
import { revoltSuccess } from '../../src/reports/revolt-success/accumulator.ts';
import { userActivity } from '../../src/reports/user-activity/accumulator.ts';
import { userActivityReport } from '../../src/reports/user-activity/report-accumulator.ts';
import { completed, failed, fold, joined, left, log, message, pledged, R1, R2, R3, refunded, registered, revoltCreated, rowsOf, U1, U2, U3 } from './history.ts';

describe('Revolt Statistics', () => {
  it('given public and private revolts with members and donations, counts the public ones only', () => {
    const body = fold(revoltStatistics, log(
      revoltCreated(R1, 'Alpha', true), revoltCreated(R2, 'Beta', true), revoltCreated(R3, 'Hidden', false),
      joined(R1, U1), joined(R1, U2), joined(R1, U3), left(R1, U3), joined(R2, U1), joined(R3, U1), joined(R3, U2), message(R2, U1), message(R2, R2, undefined, 'system'),
      completed('d1', R1, U2, 500), completed('d2', R2, U2, 300), refunded('d2', R2, U2, 100), completed('d3', R3, U1, 9999),
    ));
    expect(rowsOf(body, 'summary')).toEqual([{ totalRevolts: 2, totalMembers: 3, avgMembers: 1.5, totalDonations: 700, currency: 'usd' }]);
    expect(rowsOf(body, 'revolts').map((r) => [r.name, r.members, r.messages, r.donations])).toEqual([['Alpha', 2, 0, 500], ['Beta', 1, 2, 200]]);
  });

  it('given a revolt made private, then deleted, counts neither', () => {
    const body = fold(revoltStatistics, log(
      revoltCreated(R1, 'Alpha', true), revoltCreated(R2, 'Beta', true), joined(R1, U1), joined(R2, U1),
      { type: 'RevoltUpdated', data: { revoltId: R1, changes: { settings: { isPublic: false } } } },
      { type: 'RevoltDeleted', data: { revoltId: R2 } },
    ));
    expect(rowsOf(body, 'summary')[0]).toMatchObject({ totalRevolts: 0, totalMembers: 0, avgMembers: 0, currency: '' });
  });

  it('counts donations inside the window only; members as of the position; a ban of a non-member removes no one', () => {
    const body = fold(revoltStatistics, log(
      revoltCreated(R1, 'Alpha', true), joined(R1, U1), joined(R1, U2),
      { type: 'MemberBanned', data: { revoltId: R1, userId: U3, wasMember: false } },
      completed('d1', R1, U2, 500, 'usd', '2026-03-01T00:00:00Z'), completed('d2', R1, U2, 70, 'eur', '2026-03-05T00:00:00Z'),
    ), { from: '2026-03-02T00:00:00.000Z' });
    expect(rowsOf(body, 'summary')).toEqual([{ totalRevolts: 1, totalMembers: 2, avgMembers: 2, totalDonations: 70, currency: 'eur' }]);
  });
});

describe('Revolt Success Report', () => {
  it('given revolts of both kinds, groups them by visibility', () => {
    const body = fold(revoltSuccess, log(
      revoltCreated(R1, 'Alpha', true), revoltCreated(R2, 'Beta', false), revoltCreated(R3, 'Gamma', false),
      joined(R1, U1), joined(R2, U1), joined(R2, U2), joined(R3, U3), completed('d1', R2, U1, 250), completed('d2', R1, U1, 100, 'eur'),
    ));
    expect(rowsOf(body, 'byVisibility')).toEqual([
      { visibility: 'public', count: 1, avgMembers: 1, totalMembers: 1, totalDonations: 100, currency: 'eur' },
      { visibility: 'private', count: 2, avgMembers: 1.5, totalMembers: 3, totalDonations: 250, currency: 'usd' },
    ]);
  });

  it('with a revolt asked for, holds that revolt only', () => {
    const body = fold(revoltSuccess, log(revoltCreated(R1, 'Alpha', true), revoltCreated(R2, 'Beta', false), joined(R1, U1), joined(R2, U1)), { revoltId: R2 });
    expect(rowsOf(body, 'byVisibility').map((r) => [r.visibility, r.count, r.totalMembers])).toEqual([['public', 0, 0], ['private', 1, 1]]);
  });
});

describe('User Activity and the User Activity Report', () => {
  const history = log(
    registered(U2, 'bob', 'creator', '2026-03-01T00:00:00.000Z'), registered(U1, 'ada'),
    revoltCreated(R1, 'Alpha', true), revoltCreated(R2, 'Beta', true),
    joined(R1, U1), joined(R2, U1), left(R1, U1), joined(R1, U1), joined(R1, U2),
    message(R1, U1), message(R2, U1), message(R1, U2), message(R1, R1, undefined, 'system'),
    { type: 'UserPresenceChanged', data: { userId: U1, connected: true, presence: 'online', previousPresence: 'offline', at: '2026-03-03T09:00:00.000Z' } },
    { type: 'UserPresenceChanged', data: { userId: U2, connected: true, presence: 'offline', previousPresence: 'offline', at: '2026-03-03T09:00:00.000Z' } },
    { type: 'UserProfileUpdated', data: { userId: U1, changes: { userType: 'creator' } } },
    completed('d1', R1, U1, 500), completed('d2', R1, U1, 300), refunded('d2', R1, U1, 300), completed('d3', R2, U2, 40, 'eur'),
  );

  it('given users who joined, rejoined and wrote, lists each in id order with distinct revolts and their messages', () => {
    expect(rowsOf(fold(userActivity, history), 'users')).toEqual([
      { userId: U1, username: 'ada', userType: 'creator', joinedAt: '2026-03-01T00:00:00.000Z', revoltsJoined: 2, messagesSent: 2, lastSeen: '2026-03-03T09:00:00.000Z' },
      { userId: U2, username: 'bob', userType: 'creator', joinedAt: '2026-03-01T00:00:00.000Z', revoltsJoined: 1, messagesSent: 1, lastSeen: '2026-03-01T00:00:00.000Z' },
    ]);
  });

  it('the report adds money donated (completed minus refunded), completed donations and the message count', () => {
    expect(rowsOf(fold(userActivityReport, history), 'users').map((r) => [r.username, r.totalDonated, r.currency, r.donationCount, r.messageCount])).toEqual([
      ['ada', 500, 'usd', 2, 2],
      ['bob', 40, 'eur', 1, 1],
    ]);
  });

  it('with a revolt asked for, lists its members and counts what happened in it', () => {
    expect(rowsOf(fold(userActivityReport, history, { revoltId: R2 }), 'users').map((r) => [r.username, r.revoltsJoined, r.messagesSent, r.totalDonated])).toEqual([['ada', 1, 1, 0]]);
  });
});

describe('Financial Metrics', () => {
  const history = log(
    pledged('d1', R1, U1, 1000), completed('d1', R1, U1, 1000, 'usd', '2026-03-02T10:00:00Z'),
    pledged('d2', R1, U2, 500), completed('d2', R1, U2, 500, 'usd', '2026-03-03T10:00:00Z'), refunded('d2', R1, U2, 200),
    pledged('d3', R2, U2, 700), failed('d3'),
    pledged('d4', R2, U1, 300, 'eur'), completed('d4', R2, U1, 300, 'eur', '2026-03-10T10:00:00Z'),
  );

  it('given completions, a failure and a refund, totals per currency with the rates', () => {
    expect(rowsOf(fold(financial, history), 'totals')).toEqual([
      { currency: 'eur', pledged: 1, completed: 1, failed: 0, refunds: 0, totalProcessed: 300, refundedAmount: 0, netAmount: 300, paymentSuccessRate: 1, paymentFailureRate: 0, refundRate: 0, averageAmount: 300 },
      { currency: 'usd', pledged: 3, completed: 2, failed: 1, refunds: 1, totalProcessed: 1500, refundedAmount: 200, netAmount: 1300, paymentSuccessRate: 0.6667, paymentFailureRate: 0.3333, refundRate: 0.5, averageAmount: 750 },
    ]);
  });

  it('revenue per period follows the bucket', () => {
    expect(rowsOf(fold(financial, history, { bucket: 'week' }), 'revenue')).toEqual([
      { period: '2026-03-02', currency: 'usd', processed: 1500, refunded: 200, net: 1300 },
      { period: '2026-03-09', currency: 'eur', processed: 300, refunded: 0, net: 300 },
    ]);
    expect(rowsOf(fold(financial, history, { bucket: 'month' }), 'revenue').map((r) => r.period)).toEqual(['2026-03', '2026-03']);
    expect(rowsOf(fold(financial, history, { bucket: 'day' }), 'revenue').map((r) => r.period)).toEqual(['2026-03-02', '2026-03-03', '2026-03-10']);
  });

  it('funding per revolt, and a revolt asked for alone', () => {
    expect(rowsOf(fold(financial, history), 'fundingByRevolt').map((r) => [r.revoltId, r.currency, r.pledged, r.completed, r.failed, r.netAmount, r.paymentSuccessRate])).toEqual([
      [R1, 'usd', 2, 2, 0, 1300, 1],
      [R2, 'eur', 1, 1, 0, 300, 1],
      [R2, 'usd', 1, 0, 1, 0, 0],
    ]);
    expect(rowsOf(fold(financial, history, { revoltId: R2 }), 'totals').map((r) => r.currency)).toEqual(['eur', 'usd']);
  });
});

describe('Retention', () => {
  it('given weekly cohorts, counts each cohort\'s members active in each later week', () => {
    const body = fold(retention, log(
      joined(R1, U1, '2026-03-02T10:00:00Z'), joined(R1, U2, '2026-03-04T10:00:00Z'), message(R1, U1, '2026-03-05T10:00:00Z'),
      joined(R1, U3, '2026-03-10T10:00:00Z'), message(R1, U2, '2026-03-11T10:00:00Z'), message(R1, U3, '2026-03-12T10:00:00Z'),
      { type: 'VoiceParticipantJoined', data: { revoltId: R1, userId: U1, sessionId: 's', channelId: 'c' }, at: '2026-03-17T10:00:00Z' },
      joined(R2, U1, '2026-03-17T11:00:00Z'), message(R1, R1, '2026-03-18T10:00:00Z', 'system'),
    ));
    expect(rowsOf(body, 'cohorts').map((r) => [r.cohortWeek, r.weekOffset, r.cohortSize, r.active, r.retention])).toEqual([
      ['2026-03-02', 0, 2, 2, 1],
      ['2026-03-02', 1, 2, 1, 0.5],
      ['2026-03-02', 2, 2, 1, 0.5],
      ['2026-03-09', 0, 1, 1, 1],
      ['2026-03-09', 1, 1, 0, 0],
    ]);
  });
});

describe('User Engagement', () => {
  it('given letters, messages, voice and donations, rates completion per letter and book and counts activity per period', () => {
    const body = fold(engagement, log(
      registered(U1, 'ada'), registered(U2, 'bob'),
      { type: 'LetterPublished', data: { letterId: 1, book: 'awakening' } }, { type: 'LetterPublished', data: { letterId: 2, book: 'awakening' } },
      joined(R1, U1), joined(R1, U2), left(R1, U2),
      message(R1, U1, '2026-03-02T10:00:00Z'), message(R1, U1, '2026-03-03T10:00:00Z'), message(R1, R1, '2026-03-03T10:00:00Z', 'system'),
      { type: 'VoiceParticipantLeft', data: { revoltId: R1, userId: U2, durationMs: 90_000 }, at: '2026-03-03T11:00:00Z' },
      { type: 'LetterCompleted', data: { userId: U1, letterId: 1 } }, { type: 'LetterCompleted', data: { userId: U2, letterId: 1 } },
      completed('d1', R1, U2, 100),
    ), { bucket: 'day' });
    expect(rowsOf(body, 'letters')).toEqual([
      { letterId: 1, book: 'awakening', completions: 2, completionRate: 1 },
      { letterId: 2, book: 'awakening', completions: 0, completionRate: 0 },
    ]);
    expect(rowsOf(body, 'books')).toEqual([{ book: 'awakening', letters: 2, completions: 2, completionRate: 0.5 }]);
    expect(rowsOf(body, 'summary')).toEqual([{ users: 2, participationRate: 0.5, messagesPerUser: 1, voiceMinutesPerUser: 0.75, donationsPerUser: 0.5 }]);
    expect(rowsOf(body, 'users').map((r) => [r.username, r.revolts, r.messages, r.voiceMinutes, r.donations, r.lettersCompleted])).toEqual([['ada', 1, 2, 0, 0, 1], ['bob', 0, 0, 1.5, 1, 1]]);
    expect(rowsOf(body, 'activity').map((r) => [r.period, r.messages, r.voiceMinutes])).toEqual([['2026-03-02', 1, 0], ['2026-03-03', 1, 1.5]]);
  });
});

describe('Revolt Performance', () => {
  it('given joins, leaves, messages, voice and donations over weeks, gives growth, activity and donation success per revolt and week', () => {
    const body = fold(revoltPerformance, log(
      revoltCreated(R1, 'Alpha', true), revoltCreated(R2, 'Beta', true),
      joined(R1, U1, '2026-02-20T10:00:00Z'), joined(R1, U2, '2026-03-02T10:00:00Z'), joined(R1, U3, '2026-03-03T10:00:00Z'),
      message(R1, U2, '2026-03-03T11:00:00Z'), message(R1, R1, '2026-03-03T11:00:00Z', 'system'),
      { type: 'VoiceParticipantLeft', data: { revoltId: R1, userId: U2, durationMs: 120_000 }, at: '2026-03-04T10:00:00Z' },
      { ...pledged('d1', R1, U2, 500), at: '2026-03-04T11:00:00Z' }, completed('d1', R1, U2, 500, 'usd', '2026-03-04T12:00:00Z'),
      { ...pledged('d2', R1, U3, 900), at: '2026-03-10T10:00:00Z' }, { ...failed('d2'), at: '2026-03-10T10:01:00Z' },
      { ...left(R1, U3), at: '2026-03-11T10:00:00Z' }, joined(R2, U1, '2026-03-11T11:00:00Z'),
    ), { bucket: 'week', from: '2026-03-01T00:00:00Z' });
    expect(rowsOf(body, 'periods').map((r) => [r.name, r.period, r.membersAtStart, r.joins, r.leaves, r.membersAtEnd, r.growthRate, r.messages, r.voiceMinutes, r.donations, r.failedPayments, r.donationSuccessRate, r.raised])).toEqual([
      ['Alpha', '2026-03-02', 1, 2, 0, 3, 2, 1, 2, 1, 0, 1, 500],
      ['Alpha', '2026-03-09', 3, 0, 1, 2, -0.3333, 0, 0, 0, 1, 0, 0],
      ['Beta', '2026-03-09', 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
  });
});
