import type { RecordedEvent } from '../../src/events/envelope.ts';
import type { AnyAccumulator, ReportBody, ReportFilters, Row } from '../../src/reports/engine/accumulator.ts';

/** A hand-written log: each event gets the next position, and its time from `at` (or a minute after the previous). */
export function log(...events: { type: string; data: Record<string, unknown>; at?: string }[]): RecordedEvent[] {
  let time = Date.parse('2026-03-02T10:00:00Z'); // a Monday
  return events.map((e, i) => {
    time = e.at ? Date.parse(e.at) : time + 60_000;
    return {
      id: `e${i + 1}`,
      type: e.type,
      data: e.data,
      streamId: 's',
      revision: i,
      position: i + 1,
      metadata: { correlationId: 'c', causationId: 'c', actorId: null, occurredAt: new Date(time).toISOString(), schemaVersion: 1 },
    };
  });
}

/** Given these events, when folded through the accumulator (its state round-tripped through JSON, as snapshots keep it), then this result. */
export function fold(accumulator: AnyAccumulator, events: RecordedEvent[], filters: Partial<ReportFilters> = {}): ReportBody {
  const full: ReportFilters = { bucket: 'day', ...filters };
  let state = accumulator.init(full);
  for (const [i, event] of events.entries()) {
    state = accumulator.step(state, event, full);
    if (i === Math.floor(events.length / 2)) state = JSON.parse(JSON.stringify(state));
  }
  return accumulator.result(state, full);
}

export const rowsOf = (body: ReportBody, table: string): Row[] => body.tables.find((t) => t.name === table)!.rows;

const id = (n: number) => n.toString(16).padStart(24, '0');
export const U1 = id(1);
export const U2 = id(2);
export const U3 = id(3);
export const R1 = id(101);
export const R2 = id(102);
export const R3 = id(103);

export const registered = (userId: string, username: string, userType = 'supporter', joinedAt = '2026-03-01T00:00:00.000Z') => ({
  type: 'UserRegistered',
  data: { userId, email: `${username}@example.com`, username, discriminator: '0001', passwordHash: 'x', userType, joinedAt },
});
export const revoltCreated = (revoltId: string, name: string, isPublic: boolean) => ({ type: 'RevoltCreated', data: { revoltId, ownerId: U1, name, settings: { isPublic } } });
export const joined = (revoltId: string, userId: string, at?: string) => ({ type: 'MemberJoined', data: { revoltId, userId, revoltName: 'r', username: 'u', isOwner: false, joinedAt: at ?? '' }, ...(at && { at }) });
export const left = (revoltId: string, userId: string) => ({ type: 'MemberLeft', data: { revoltId, userId, at: '' } });
export const message = (revoltId: string, authorId: string, at?: string, type = 'text') => ({ type: 'MessageSent', data: { messageId: id(999), channelId: id(998), revoltId, authorId, type, createdAt: '' }, ...(at && { at }) });
export const pledged = (donationId: string, revoltId: string, donorId: string, amount: number, currency = 'usd') => ({
  type: 'DonationPledged',
  data: { donationId, revoltId, revoltName: `name-${revoltId.slice(-3)}`, ownerId: U1, donorId, amount, currency },
});
export const completed = (donationId: string, revoltId: string, donorId: string, amount: number, currency = 'usd', at?: string) => ({
  type: 'DonationCompleted',
  data: { donationId, revoltId, donorId, ownerId: U1, currency, amount },
  ...(at && { at }),
});
export const failed = (donationId: string) => ({ type: 'DonationFailed', data: { donationId } });
export const refunded = (donationId: string, revoltId: string, donorId: string, amount: number, currency = 'usd') => ({
  type: 'DonationRefunded',
  data: { donationId, revoltId, donorId, ownerId: U1, currency, amount, full: false },
});
